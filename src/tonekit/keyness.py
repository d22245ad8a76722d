"""What drives a difference in tone: category rates per group and marker keyness.

- :func:`markers_table` scores each document of a corpus and returns one row per marker
  (the evidence), with the document's id and metadata.
- :func:`category_rates` gives, per group and lexicon category, the rate of weighted
  markers per 100 tokens (sum of effective weights / tokens, pooled over the group's
  documents, the same unit as the category columns of a scores table) with a percentile
  bootstrap interval that resamples *documents*.
- :func:`keyness` ranks markers by the log-odds ratio with an informative Dirichlet prior
  ("Fightin' Words", Monroe, Colaresi & Quinn 2008, eqs. 16-22).

Only markers with ``effective_weight > 0`` are counted by :func:`keyness`: a negated
insult ("not an idiot") is evidence the scorer saw but did not count, and keyness
explains the scores. :func:`markers_table` keeps every marker so it can be inspected.

Example
-------
>>> import pandas as pd
>>> corpus = pd.DataFrame({"id": ["a1", "a2", "k1", "k2"], "era": ["Abe", "Abe", "Kishida", "Kishida"],
...     "text": ["Abe is an idiot and a puppet.", "The idiot Abe is a puppet of the US.",
...              "We express deep condolences.", "We express sympathy and condolences."]})
>>> k = keyness(markers_table(corpus), by="era", a="Abe", b="Kishida")
>>> k.top(1, side="Abe")["term"].tolist(), k.top(1, side="Kishida")["term"].tolist()
(['idiot'], ['condolence'])
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from .lexicon import Lexicon, resolve
from .pipeline import pipeline_for, score
from .stats import bootstrap_interval, group_order, seeded_rng

__all__ = ["markers_table", "category_rates", "keyness", "Keyness", "MARKER_COLUMNS"]

#: Columns of :func:`markers_table` after the id and the kept corpus columns.
MARKER_COLUMNS = (
    "n_tokens", "marker", "start_char", "end_char", "dimension", "category", "term",
    "weight", "effective_weight", "modifiers",
)


def markers_table(
    corpus: pd.DataFrame,
    text: str = "text",
    lexicon: Lexicon | str | Path | None = None,
    *,
    id: str = "id",  # noqa: A002 - the corpus column name
    keep: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Score every document and return one row per marker (long format).

    Columns: ``id``, the ``keep`` columns of the corpus (default: every column but the
    text), then :data:`MARKER_COLUMNS` (``marker`` is the matched text, ``modifiers`` the
    ``kind(cue)xfactor`` strings of :meth:`ToneResult.markers_frame`). Documents without
    markers have no rows. Markers with ``effective_weight == 0`` (negated) are kept.

    >>> mk = markers_table(corpus, lexicon="diplomatic-en")            # doctest: +SKIP
    >>> mk[mk.effective_weight > 0].groupby("era").size()              # doctest: +SKIP
    """
    for col in (text, id):
        if col not in corpus.columns:
            raise KeyError(f"no column {col!r} in the corpus; columns are {list(corpus.columns)}")
    keep = [c for c in corpus.columns if c != text] if keep is None else list(keep)
    if id not in keep:
        keep.insert(0, id)
    else:
        keep.insert(0, keep.pop(keep.index(id)))
    nlp = pipeline_for(lexicon)
    frames = []
    for position, (value, meta) in enumerate(zip(corpus[text], corpus[keep].itertuples(index=False))):
        if not isinstance(value, str):
            raise TypeError(f"row {position} (id {meta[0]!r}), field {text!r}: text must be a string, not {value!r:.40}")
        result = score(value, nlp=nlp)
        frame = result.markers_frame().rename(columns={"text": "marker"})
        if not len(frame):
            continue
        frame["n_tokens"] = result.n_tokens
        for col, v in zip(keep, meta):
            frame[col] = v
        frames.append(frame[[*keep, *MARKER_COLUMNS]])
    if not frames:
        empty = pd.DataFrame(columns=[*keep, *MARKER_COLUMNS])
        return empty.astype({"effective_weight": float, "weight": float})
    out = pd.concat(frames, ignore_index=True)
    for col in keep:  # keep the corpus dtypes (categorical eras, datetimes)
        try:
            out[col] = out[col].astype(corpus[col].dtype)
        except (TypeError, ValueError):
            pass
    return out


def category_rates(
    scores: pd.DataFrame,
    by: str = "era",
    groups: Sequence[str] | None = None,
    categories: Sequence[str] | None = None,
    lexicon: Lexicon | str | Path | None = None,
    n_boot: int = 2000,
    seed: int = 0,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Weighted markers per 100 tokens per group and category, with a document bootstrap CI.

    ``scores`` is a scores table (``tonekit score`` / ``score_corpus`` output): it needs
    ``n_tokens`` and one rate column per category. A group's rate is
    ``100 * sum(weights) / sum(tokens)`` over its documents; the interval is the percentile
    bootstrap of that ratio over documents resampled with replacement.
    Returns columns group, category, dimension, n_docs, rate, ci_low, ci_high.

    >>> category_rates(scores, by="era", groups=["Abe", "Kishida"])    # doctest: +SKIP
    """
    lex = resolve(lexicon)
    if "n_tokens" not in scores.columns or by not in scores.columns:
        raise KeyError(f"category_rates needs columns 'n_tokens' and {by!r}; columns are {list(scores.columns)}")
    if categories is None:
        categories = [c for c in lex.categories if c in scores.columns]
    missing = [c for c in categories if c not in scores.columns]
    if missing:
        raise KeyError(f"no rate column for categor{'y' if len(missing) == 1 else 'ies'} {missing} in the scores table")
    order = group_order(scores[by], groups, by)
    labels = scores[by].astype("string")
    rows = []
    for g in order:
        sub = scores[(labels == g).fillna(False).to_numpy()]
        tokens = sub["n_tokens"].to_numpy(float)
        ok = np.isfinite(tokens) & sub[list(categories)].notna().all(axis=1).to_numpy()
        tokens = tokens[ok]
        weights = sub.loc[ok, list(categories)].to_numpy(float) * tokens[:, None] / 100.0
        n = len(tokens)
        total = tokens.sum()
        point = 100.0 * weights.sum(axis=0) / total if total else np.full(len(categories), np.nan)
        low = high = np.full(len(categories), np.nan)
        if total:
            # documents without tokens add nothing to a pooled rate: only the others are resampled
            has = tokens > 0
            low, high = bootstrap_interval((weights[has].T, tokens[has]), _pooled_rate, n_resamples=n_boot,
                                           confidence=confidence, rng=seeded_rng(seed, "category_rates", g),
                                           paired=True)
        for j, cat in enumerate(categories):
            dim = lex.categories[cat].dimension if cat in lex.categories else ""
            rows.append({"group": g, "category": cat, "dimension": dim, "n_docs": n,
                         "rate": float(point[j]), "ci_low": float(low[j]), "ci_high": float(high[j])})
    return pd.DataFrame(rows, columns=["group", "category", "dimension", "n_docs", "rate", "ci_low", "ci_high"])


def _pooled_rate(weights: np.ndarray, tokens: np.ndarray, axis: int = -1) -> np.ndarray:
    """Weighted markers per 100 tokens of pooled documents (one row of ``weights`` per category)."""
    return 100.0 * weights.sum(axis=axis) / tokens.sum(axis=axis)


@dataclass(frozen=True)
class Keyness:
    """Marker keyness of group ``a`` against group ``b`` (``z > 0``: typical of ``a``).

    ``table`` columns: the key (e.g. ``term``), category, dimension, count_a, count_b,
    delta (log-odds ratio a vs b), variance, z, favours; sorted by z, descending.
    Draw it with :func:`tonekit.viz.plot_keyness`.
    """

    a: str
    b: str
    key: str
    alpha0: float
    n_a: int
    n_b: int
    table: pd.DataFrame = field(repr=False)

    def top(self, n: int = 10, side: str | None = None) -> pd.DataFrame:
        """The ``n`` markers most typical of ``side`` (group a by default), strongest first."""
        side = self.a if side is None else side
        if side == self.a:
            rows = self.table[self.table["z"] > 0].head(n)
        elif side == self.b:
            rows = self.table[self.table["z"] < 0].iloc[::-1].head(n)
        else:
            raise ValueError(f"side must be {self.a!r} or {self.b!r}, not {side!r}")
        return rows.reset_index(drop=True)

    def to_frame(self) -> pd.DataFrame:
        return self.table.copy()

    def _lines(self, n: int = 8) -> list[str]:
        out = [f"Keyness of {self.key!r}: {self.a} ({self.n_a} markers) vs {self.b} ({self.n_b} markers), "
               f"log-odds ratio with informative Dirichlet prior (alpha0={self.alpha0:g})"]
        for side in (self.a, self.b):
            out.append(f"  typical of {side}:")
            for r in self.top(n, side).itertuples():
                kind = r.dimension if self.key == "category" else r.category
                out.append(f"    {getattr(r, self.key)!s:<28} {kind!s:<15} z={r.z:+6.2f}  "
                           f"({r.count_a} vs {r.count_b})")
        return out

    def __repr__(self) -> str:
        return "\n".join(self._lines())

    def _repr_html_(self) -> str:
        return "<pre>" + html.escape(repr(self)) + "</pre>"


def keyness(
    markers: pd.DataFrame,
    by: str = "era",
    a: str | None = None,
    b: str | None = None,
    key: str = "term",
    alpha0: float | None = None,
) -> Keyness:
    """Log-odds ratio of each marker between groups ``a`` and ``b`` (Monroe et al. 2008).

    Counts are markers with ``effective_weight > 0`` per value of ``key`` (``"term"`` or
    ``"category"``); ``n_a``, ``n_b`` are the groups' counted markers, so ``delta``
    compares the share of a marker among each group's markers. The prior is informative:
    ``alpha_w = alpha0 * (y_a + y_b) / (n_a + n_b)``, the pooled share of ``w``, with
    ``alpha0 = n_a + n_b`` by default. Then, with ``a0 = alpha0``::

        delta_w = log((y_a + alpha_w) / (n_a + a0 - y_a - alpha_w))
                - log((y_b + alpha_w) / (n_b + a0 - y_b - alpha_w))
        var_w   = 1 / (y_a + alpha_w) + 1 / (y_b + alpha_w)        z_w = delta_w / sqrt(var_w)

    >>> k = keyness(mk, by="era", a="Abe", b="Kishida")               # doctest: +SKIP
    >>> k.top(10, side="Kishida")                                      # doctest: +SKIP
    """
    for col in (by, key, "effective_weight"):
        if col not in markers.columns:
            raise KeyError(f"no column {col!r} in the markers table; columns are {list(markers.columns)}")
    labels = markers[by].astype("string")
    present = sorted(set(labels.dropna()))
    if a is None or b is None:
        raise ValueError(f"name the two groups to contrast, a= and b=; groups in {by!r}: {present}")
    if a == b:
        raise ValueError(f"a and b must differ, both are {a!r}")
    counted = markers[(markers["effective_weight"] > 0).to_numpy()]
    labels = labels[counted.index]
    counts = {}
    for g in (a, b):
        sub = counted[(labels == g).fillna(False).to_numpy()]
        if not len(sub):
            raise ValueError(f"group {g!r} has no counted markers in column {by!r} (groups: {present})")
        counts[g] = sub[key].astype(str).value_counts()
    vocab = sorted(set(counts[a].index) | set(counts[b].index))
    y_a = counts[a].reindex(vocab, fill_value=0).to_numpy(float)
    y_b = counts[b].reindex(vocab, fill_value=0).to_numpy(float)
    n_a, n_b = y_a.sum(), y_b.sum()
    a0 = float(n_a + n_b) if alpha0 is None else float(alpha0)
    if a0 <= 0:
        raise ValueError(f"alpha0 must be positive, not {alpha0!r}")
    alpha = a0 * (y_a + y_b) / (n_a + n_b)
    with np.errstate(divide="ignore", invalid="ignore"):
        delta = (np.log((y_a + alpha) / (n_a + a0 - y_a - alpha))
                 - np.log((y_b + alpha) / (n_b + a0 - y_b - alpha)))
        var = 1.0 / (y_a + alpha) + 1.0 / (y_b + alpha)
        z = delta / np.sqrt(var)
    table = pd.DataFrame({key: vocab, "count_a": y_a.astype(int), "count_b": y_b.astype(int),
                          "delta": delta, "variance": var, "z": z})
    if key != "category" and "category" in counted.columns:
        # the category (and dimension) a key is most often counted under
        info = (counted.assign(_k=counted[key].astype(str))
                .groupby(["_k", "category", "dimension"], observed=True).size()
                .reset_index(name="n").sort_values(["_k", "n"], ascending=[True, False], kind="stable")
                .drop_duplicates("_k").set_index("_k"))
        table["category"] = info["category"].reindex(vocab).to_numpy()
        table["dimension"] = info["dimension"].reindex(vocab).to_numpy()
    elif key == "category":
        dims = counted.groupby("category", observed=True)["dimension"].first() if "dimension" in counted else None
        table["category"] = vocab
        table["dimension"] = dims.reindex(vocab).to_numpy() if dims is not None else ""
    table["favours"] = np.where(table["z"] > 0, a, np.where(table["z"] < 0, b, ""))
    cols = [key] + (["category"] if key != "category" else []) + ["dimension", "count_a", "count_b",
                                                                  "delta", "variance", "z", "favours"]
    table = table[cols].sort_values(["z", key], ascending=[False, True], kind="stable").reset_index(drop=True)
    return Keyness(a=str(a), b=str(b), key=key, alpha0=a0, n_a=int(n_a), n_b=int(n_b), table=table)
