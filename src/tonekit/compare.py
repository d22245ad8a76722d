"""Compare tone between groups of statements (leaders, periods, speakers) with honest statistics.

For every metric (a numeric column of a scores table) and every group, :func:`compare`
reports n, mean, median, sd and a bootstrap confidence interval of the mean; for every
pair of groups it reports

- ``mean_diff`` = mean(``group_a``) - mean(``group_b``), where ``group_a`` comes first in the
  group order, with a **percentile bootstrap** interval (:func:`scipy.stats.bootstrap`): both
  groups are resampled with replacement, independently, ``n_boot`` times, and the interval is
  the ``(1 - confidence) / 2`` and ``(1 + confidence) / 2`` quantiles of the resampled
  differences;
- a two-sided **permutation test** of equal means (:func:`scipy.stats.permutation_test`): the
  group labels of the pooled values are shuffled ``n_perm`` times (default ``n_perm = n_boot``)
  and ``p = (1 + #{|d*| >= |d|}) / (1 + n_perm)`` for the observed difference ``d`` (Phipson &
  Smyth 2010: never 0); exact, over every split, when there are no more than ``n_perm`` splits;
- **Cliff's delta** = P(a > b) - P(a < b) = 2U / (n_a n_b) - 1 for the Mann-Whitney U of
  ``group_a``, with the labels of Romano et al. (2006): ``|d| < 0.147`` negligible,
  ``< 0.33`` small, ``< 0.474`` medium, else large;
- ``p_holm``: Holm's step-down adjustment over the pairs of the metric (equal to ``p_value``
  when there are only two groups).

The statistics are those of :mod:`tonekit.stats`. Draw a comparison with
:func:`tonekit.viz.plot_comparison`.

Rows with an ``error`` (a row ``tonekit score`` could not score, e.g. an empty text) are
left out, and ``n_errors`` says how many. Missing values are dropped per metric
(``n_missing`` says how many). Infinite scores are refused: no score is infinite, so the
table is broken. Groups with fewer
than :data:`SMALL_N` values are flagged in a ``small`` column and in the repr, never
hidden. Randomness is seeded per (metric, pair) from ``seed`` and the names, so the
numbers for Abe vs Kishida do not change when Suga is added to the comparison, nor
(but for the sign) when Kishida is listed first.

Every pair costs its resamples: a column of more than :data:`MAX_PAIRS` pairs of groups
(``id``, say) is refused unless ``groups`` names the groups to compare.

Example
-------
>>> import pandas as pd
>>> scores = pd.DataFrame({"era": ["Abe"] * 6 + ["Kishida"] * 6,
...                        "hostility": [.8, .7, .9, .6, .75, .85, .2, .3, .1, .25, .3, .2]})
>>> cmp = scores.pipe(compare, by="era", metrics=["hostility"], n_boot=2000)
>>> row = cmp.pairs.iloc[0]
>>> (row.group_a, row.group_b, round(float(row.mean_diff), 3), row.effect)
('Abe', 'Kishida', 0.542, 'large')
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import combinations

import numpy as np
import pandas as pd

from .corpus import error_message
from .corpus.scale import is_dask_frame
from .stats import (
    EFFECT_THRESHOLDS, cliffs_delta, effect_label, group_order, holm, mean_difference_interval, mean_interval,
    permutation_p, seeded_rng,
)

# cliffs_delta, effect_label and holm live in tonekit.stats; they stay importable from here.
__all__ = [
    "compare", "Comparison", "cliffs_delta", "effect_label", "holm", "SMALL_N", "EFFECT_THRESHOLDS", "MAX_PAIRS",
]

SMALL_N = 5
#: Pairs of groups compared at most when the groups are not named: each pair takes
#: tens of milliseconds per metric, so 500 pairs (32 groups) already take a minute.
MAX_PAIRS = 500


def _pair_test(
    seed: int, metric: str, a: tuple[str, np.ndarray], b: tuple[str, np.ndarray],
    n_boot: int, n_perm: int, confidence: float,
) -> tuple[float, float, float]:
    """Bootstrap interval of the difference of means (a - b) and permutation p-value of
    a pair of groups ``(name, values)``. Drawn for the pair in the order of its names,
    whatever the order of the groups: listing b first flips the interval, exactly."""
    first, second = sorted((a, b), key=lambda group: group[0])
    rng = seeded_rng(seed, metric, first[0], second[0])
    lo, hi = mean_difference_interval(first[1], second[1], n_resamples=n_boot, confidence=confidence, rng=rng)
    p_value = permutation_p(first[1], second[1], n_resamples=n_perm, rng=rng)
    return (lo, hi, p_value) if first is a else (-hi, -lo, p_value)


# -- result ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Comparison:
    """Result of :func:`compare`: tidy per-group and per-pair tables.

    ``groups`` (one row per metric and group): metric, group, n, n_missing, mean, median,
    sd, ci_low, ci_high, small. ``pairs`` (one row per metric and pair): metric, group_a,
    group_b, n_a, n_b, mean_diff, ci_low, ci_high, p_value, p_holm, cliffs_delta, effect, small.
    ``values`` holds the data compared (long: group, metric, value) for plots.
    ``n_errors`` counts the rows left out because they have an ``error``.
    """

    by: str
    group_order: tuple[str, ...]
    metrics: tuple[str, ...]
    groups: pd.DataFrame = field(repr=False)
    pairs: pd.DataFrame = field(repr=False)
    values: pd.DataFrame = field(repr=False)
    n_boot: int = 10_000
    n_perm: int = 10_000
    seed: int = 0
    confidence: float = 0.95
    n_errors: int = 0

    def to_frame(self, table: str = "pairs") -> pd.DataFrame:
        """A copy of the ``"pairs"`` (default) or ``"groups"`` table."""
        if table not in ("pairs", "groups"):
            raise ValueError(f"table must be 'pairs' or 'groups', not {table!r}")
        return getattr(self, table).copy()

    def summary(self, metric: str, a: str, b: str) -> pd.Series:
        """The pair row of ``metric`` for groups ``a`` and ``b`` (in either order; the sign
        of ``mean_diff``, CI and delta is flipped so that they read ``a - b``)."""
        rows = self.pairs[self.pairs["metric"] == metric]
        hit = rows[(rows["group_a"] == a) & (rows["group_b"] == b)]
        if len(hit):
            return hit.iloc[0]
        hit = rows[(rows["group_a"] == b) & (rows["group_b"] == a)]
        if not len(hit):
            raise KeyError(f"no pair {a!r}/{b!r} for metric {metric!r}")
        row = hit.iloc[0].copy()
        row["group_a"], row["group_b"], row["n_a"], row["n_b"] = a, b, row["n_b"], row["n_a"]
        row["mean_diff"], row["cliffs_delta"] = -row["mean_diff"], -row["cliffs_delta"]
        row["ci_low"], row["ci_high"] = -row["ci_high"], -row["ci_low"]
        return row

    def direction(self, metric: str, a: str, b: str, alpha: float = 0.05) -> int:
        """+1 if ``a`` scores reliably higher than ``b`` on ``metric``, -1 if reliably lower,
        0 if not: reliably means the bootstrap CI of ``a - b`` excludes 0 *and* the
        Holm-adjusted permutation p is below ``alpha`` (the conclusion of the notebook and
        of ``tonekit report``).

        >>> cmp.direction("hostility", "Kishida", "Abe")     # doctest: +SKIP
        -1
        """
        row = self.summary(metric, a, b)
        if not row["p_holm"] < alpha:  # also NaN, for an empty group
            return 0
        return 1 if row["ci_low"] > 0 else -1 if row["ci_high"] < 0 else 0

    @property
    def small_groups(self) -> tuple[str, ...]:
        """Groups with fewer than :data:`SMALL_N` values for some metric."""
        flagged = self.groups.loc[self.groups["small"], "group"]
        return tuple(g for g in self.group_order if g in set(flagged))

    def _lines(self) -> list[str]:
        pct = f"{self.confidence:.0%}"
        out = [f"Comparison by {self.by!r}: {', '.join(self.group_order)} "
               f"(bootstrap {pct} CI, n_boot={self.n_boot}; permutation test, n_perm={self.n_perm}; seed={self.seed})"]
        for metric in self.metrics:
            out.append(f"{metric}:")
            for r in self.groups[self.groups["metric"] == metric].itertuples():
                flag = "  (!) n < 5" if r.small else ""
                miss = f", {r.n_missing} missing" if r.n_missing else ""
                out.append(f"  {r.group:<12} n={r.n:<4} mean {r.mean:.3f} [{r.ci_low:.3f}, {r.ci_high:.3f}]  "
                           f"median {r.median:.3f}  sd {r.sd:.3f}{miss}{flag}")
            for r in self.pairs[self.pairs["metric"] == metric].itertuples():
                holm_part = f", Holm p={r.p_holm:.4f}" if len(self.group_order) > 2 else ""
                out.append(f"  {r.group_a} - {r.group_b}: {r.mean_diff:+.3f} [{r.ci_low:+.3f}, {r.ci_high:+.3f}], "
                           f"p={r.p_value:.4f}{holm_part}, Cliff's delta {r.cliffs_delta:+.2f} ({r.effect})"
                           + ("  (!) small group" if r.small else ""))
        if self.small_groups:
            out.append(f"(!) fewer than {SMALL_N} values in: {', '.join(self.small_groups)}; read their numbers with care.")
        if self.n_errors:
            out.append(f"(!) {_rows_with_error(self.n_errors)} left out.")
        return out

    def __repr__(self) -> str:
        return "\n".join(self._lines())

    def _repr_html_(self) -> str:
        esc = html.escape
        pct = f"{self.confidence:.0%}"
        head = (f"<p><b>Comparison by {esc(self.by)}</b>: bootstrap {esc(pct)} CI (percentile, "
                f"n_boot={self.n_boot}), two-sided permutation test (n_perm={self.n_perm}), seed={self.seed}</p>")
        fmt = {"mean": "{:.3f}", "median": "{:.3f}", "sd": "{:.3f}", "ci_low": "{:+.3f}", "ci_high": "{:+.3f}",
               "mean_diff": "{:+.3f}", "p_value": "{:.4f}", "p_holm": "{:.4f}", "cliffs_delta": "{:+.2f}"}
        warn = ""
        if self.small_groups:
            warn = f"<p><b>(!)</b> fewer than {SMALL_N} values in: {esc(', '.join(self.small_groups))}</p>"
        if self.n_errors:
            warn += f"<p><b>(!)</b> {_rows_with_error(self.n_errors)} left out.</p>"
        return head + _html_table(self.groups, fmt) + _html_table(self.pairs, fmt) + warn


def _rows_with_error(n: int) -> str:
    return f"{n} row{'s' * (n != 1)} with an error (such as an empty text)"


def _html_table(df: pd.DataFrame, fmt: dict[str, str]) -> str:
    cells = []
    for _, row in df.iterrows():
        tds = []
        for col in df.columns:
            v = row[col]
            text = fmt[col].format(v) if col in fmt and pd.notna(v) else ("" if v is None else str(v))
            tds.append(f"<td>{html.escape(text)}</td>")
        cells.append("<tr>" + "".join(tds) + "</tr>")
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in df.columns)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(cells)}</tbody></table>"


# -- entry point -----------------------------------------------------------------------------


def compare(
    scores: pd.DataFrame,
    by: str = "era",
    groups: Sequence[str] | None = None,
    metrics: Sequence[str] = ("hostility", "courtesy", "tone"),
    n_boot: int = 10_000,
    seed: int = 0,
    *,
    n_perm: int | None = None,
    confidence: float = 0.95,
) -> Comparison:
    """Compare ``metrics`` of ``scores`` between the groups in column ``by``.

    ``groups`` selects and orders groups (default: every group present, in category order
    for a categorical column, else sorted; at most :data:`MAX_PAIRS` pairs of them). Rows
    with an ``error`` are left out and counted. See the module docstring for the statistics.

    >>> cmp = compare(scores, by="era", groups=["Abe", "Kishida"])     # doctest: +SKIP
    >>> cmp.pairs[["metric", "mean_diff", "ci_low", "ci_high", "p_value"]]   # doctest: +SKIP

    ``scores`` may be a Dask DataFrame: only ``by`` and the metrics are computed.
    """
    if is_dask_frame(scores):  # the columns compared, computed; then the same statistics
        from .scale import compare_columns

        scores = compare_columns(scores, by, metrics)
    if not isinstance(scores, pd.DataFrame):
        raise TypeError(f"compare() expects a DataFrame of scores, not {type(scores).__name__}")
    if not len(scores):
        raise ValueError("the scores table has no rows")
    if by not in scores.columns:
        raise KeyError(f"no group column {by!r}; columns are {list(scores.columns)}")
    scores, n_errors = _without_errors(scores)
    if isinstance(metrics, str):
        metrics = [metrics]
    metrics = tuple(metrics)
    for m in metrics:
        if m not in scores.columns:
            raise KeyError(f"no metric column {m!r}; columns are {list(scores.columns)}")
        if not pd.api.types.is_numeric_dtype(scores[m].dtype) or pd.api.types.is_bool_dtype(scores[m].dtype):
            raise TypeError(f"metric column {m!r} is not numeric (dtype {scores[m].dtype})")
        infinite = np.isinf(scores[m].to_numpy(dtype=float, na_value=np.nan))
        if infinite.any():
            rows = ", ".join(map(repr, scores.index[infinite][:5])) + (", ..." if infinite.sum() > 5 else "")
            raise ValueError(
                f"metric column {m!r} has {int(infinite.sum())} infinite value(s), at index {rows}: "
                "scores are finite, so the table is broken; fix or drop those rows"
            )
    if not isinstance(n_boot, (int, np.integer)) or n_boot < 100:
        raise ValueError(f"n_boot must be an integer >= 100, not {n_boot!r}")
    n_perm = n_boot if n_perm is None else n_perm
    if not isinstance(n_perm, (int, np.integer)) or n_perm < 100:
        raise ValueError(f"n_perm must be an integer >= 100, not {n_perm!r}")
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be in (0, 1), not {confidence!r}")
    order = group_order(scores[by], groups, by)
    n_pairs = len(order) * (len(order) - 1) // 2
    if groups is None and n_pairs > MAX_PAIRS:
        raise ValueError(
            f"column {by!r} has {len(order)} groups, {n_pairs} pairs to compare (at most {MAX_PAIRS} "
            "unless the groups are named): name the groups to compare (groups=, --groups) or group by "
            "a column with fewer values"
        )
    if len(order) < 2:
        raise ValueError(f"need at least two groups in column {by!r} to compare, found {list(order)}")

    labels = scores[by].astype("string")
    group_rows, pair_rows, value_frames = [], [], []
    for metric in metrics:
        data: dict[str, np.ndarray] = {}
        for g in order:
            col = scores.loc[(labels == g).fillna(False).to_numpy(), metric].astype(float)
            x = col.dropna().to_numpy()
            data[g] = x
            lo, hi = mean_interval(x, n_resamples=n_boot, confidence=confidence, rng=seeded_rng(seed, metric, g))
            group_rows.append({
                "metric": metric, "group": g, "n": len(x), "n_missing": int(col.isna().sum()),
                "mean": float(x.mean()) if len(x) else np.nan,
                "median": float(np.median(x)) if len(x) else np.nan,
                "sd": float(x.std(ddof=1)) if len(x) > 1 else np.nan,
                "ci_low": lo, "ci_high": hi, "small": len(x) < SMALL_N,
            })
            value_frames.append(pd.DataFrame({"group": g, "metric": metric, "value": x}))
        first = len(pair_rows)
        for a, b in combinations(order, 2):
            xa, xb = data[a], data[b]
            row = {"metric": metric, "group_a": a, "group_b": b, "n_a": len(xa), "n_b": len(xb)}
            if len(xa) and len(xb):
                lo, hi, p_value = _pair_test(seed, metric, (a, xa), (b, xb), n_boot, n_perm, confidence)
                delta = cliffs_delta(xa, xb)
                row.update(mean_diff=float(xa.mean() - xb.mean()), ci_low=lo, ci_high=hi,
                           p_value=p_value, cliffs_delta=delta, effect=effect_label(delta))
            else:
                row.update(mean_diff=np.nan, ci_low=np.nan, ci_high=np.nan, p_value=np.nan,
                           cliffs_delta=np.nan, effect="")
            row["small"] = min(len(xa), len(xb)) < SMALL_N
            pair_rows.append(row)
        adjusted = holm([r["p_value"] for r in pair_rows[first:]])
        for r, p in zip(pair_rows[first:], adjusted):
            r["p_holm"] = float(p)

    pair_cols = ["metric", "group_a", "group_b", "n_a", "n_b", "mean_diff", "ci_low", "ci_high",
                 "p_value", "p_holm", "cliffs_delta", "effect", "small"]
    return Comparison(
        by=by,
        group_order=order,
        metrics=metrics,
        groups=pd.DataFrame(group_rows),
        pairs=pd.DataFrame(pair_rows, columns=pair_cols),
        values=pd.concat(value_frames, ignore_index=True),
        n_boot=int(n_boot),
        n_perm=int(n_perm),
        seed=seed,
        confidence=confidence,
        n_errors=n_errors,
    )


def _without_errors(scores: pd.DataFrame) -> tuple[pd.DataFrame, int]:
    """The rows without an ``error`` (a row that could not be scored has no scores to
    compare: an empty text's zeros would pull its group's mean down), and how many left."""
    if "error" not in scores.columns:
        return scores, 0
    failed = scores["error"].map(lambda e: error_message(e) is not None).to_numpy(dtype=bool)
    if not failed.any():
        return scores, 0
    if failed.all():
        raise ValueError(f"no rows to compare: all {len(scores)} rows have an error")
    return scores.loc[~failed], int(failed.sum())
