"""Plots (matplotlib) and escaped HTML rendering of scored statements.

matplotlib is imported inside the plotting functions only. Every plotting function takes
an optional ``ax`` and returns the Axes it drew on (or the Figure for several panels).
:func:`render` shows a text, a Doc or a result as escaped HTML with its markers
highlighted (:func:`tonekit.scoring.render_html`, which a result's ``_repr_html_`` uses too).

Example
-------
>>> "&lt;script&gt;" in str(render("<script>alert(1)</script> You idiot! (constructed)"))
True
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from spacy.tokens import Doc

from .pipeline import doc_result, score
from .scoring import ToneResult, render_html
from .stats import group_order

if TYPE_CHECKING:
    from .compare import Comparison
    from .eras import TenureTable
    from .keyness import Keyness
    from .lexicon import Lexicon

__all__ = [
    "Rendered", "render", "render_html", "plot_distribution", "plot_timeline",
    "plot_category_rates", "plot_keyness", "plot_comparison",
]

# Okabe-Ito vermillion and blue: apart for colour-blind readers and in greyscale; the
# timeline also draws the two with different marker shapes.
_DIMENSION_COLOURS = {"hostility": "#d55e00", "courtesy": "#0072b2", "tone": "#34495e"}
_DIMENSION_MARKERS = {"hostility": "^", "courtesy": "o"}


# -- HTML ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rendered:
    """HTML for notebooks: Jupyter shows ``_repr_html_``; ``str()`` gives the markup."""

    html: str

    def _repr_html_(self) -> str:
        return self.html

    def __str__(self) -> str:
        return self.html


def render(obj: Any, lexicon: Lexicon | str | Path | None = None) -> Rendered:
    """HTML view of a text, a spaCy Doc from :func:`tonekit.load`, or a ToneResult.

    A text is scored with ``lexicon`` first. All text is escaped.

    >>> "&lt;b&gt;" in str(render("<b>Shut up</b> (constructed)"))
    True
    """
    if isinstance(obj, ToneResult):
        result = obj
    elif isinstance(obj, str):
        result = score(obj, lexicon=lexicon)
    elif isinstance(obj, Doc) and doc_result(obj) is not None:
        result = doc_result(obj)
    else:
        raise TypeError(f"render() takes a text, a Doc scored by tonekit or a ToneResult, not {type(obj).__name__}")
    return Rendered(render_html(result))


# -- plots -----------------------------------------------------------------------------------


def _axes(ax: Any, figsize: tuple[float, float]) -> Any:
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt

    _, ax = plt.subplots(figsize=figsize)
    return ax


def _box_strip(ax: Any, values: list[np.ndarray], labels: list[str], colour: str, seed: int = 0) -> None:
    """Box plot with the individual values jittered on top (seeded jitter)."""
    rng = np.random.default_rng(seed)
    positions = np.arange(1, len(values) + 1)
    drawn = [v if len(v) else np.array([np.nan]) for v in values]
    ax.boxplot(drawn, positions=positions, widths=0.5, showfliers=False,
               medianprops={"color": colour}, boxprops={"color": "#777"})
    for pos, v in zip(positions, values):
        ax.scatter(pos + rng.uniform(-0.15, 0.15, len(v)), v, s=14, alpha=0.6, color=colour, zorder=3)
    ax.set_xticks(positions)
    ax.set_xticklabels([f"{g}\n(n={len(v)}{', small' if len(v) < 5 else ''})" for g, v in zip(labels, values)])


def plot_distribution(
    scores: pd.DataFrame,
    by: str = "era",
    metric: str = "hostility",
    groups: Sequence[str] | None = None,
    *,
    ax: Any = None,
) -> Any:
    """Box plot and points of ``metric`` per group of ``by``; returns the Axes.

    >>> plot_distribution(scores, by="era", metric="courtesy", groups=["Abe", "Kishida"])  # doctest: +SKIP
    """
    order = group_order(scores[by], groups, by)
    labels = scores[by].astype("string")
    values = [scores.loc[(labels == g).fillna(False).to_numpy(), metric].dropna().to_numpy(float) for g in order]
    ax = _axes(ax, (1.6 + 1.3 * len(order), 4))
    _box_strip(ax, values, list(order), _DIMENSION_COLOURS.get(metric, "#2c3e50"))
    ax.set_ylabel(metric)
    ax.set_title(f"{metric} by {by}")
    return ax


def plot_comparison(comparison: Comparison, metrics: Sequence[str] | None = None, *, ax: Any = None) -> Any:
    """Per metric: distribution per group with the mean and its bootstrap CI (black).

    Returns the Axes for one metric (or when ``ax`` is given), else the Figure.
    """
    metrics = list(comparison.metrics if metrics is None else metrics)
    if ax is not None and len(metrics) != 1:
        raise ValueError("pass ax= only when plotting a single metric")
    if ax is None:
        import matplotlib.pyplot as plt

        fig, axes = plt.subplots(1, len(metrics), figsize=(3.2 * len(metrics) + 1, 4), squeeze=False)
        axes = list(axes[0])
    else:
        fig, axes = None, [ax]
    order = list(comparison.group_order)
    for metric, a in zip(metrics, axes):
        vals = comparison.values[comparison.values["metric"] == metric]
        values = [vals.loc[vals["group"] == g, "value"].to_numpy(float) for g in order]
        _box_strip(a, values, order, _DIMENSION_COLOURS.get(metric, "#2c3e50"))
        stats = comparison.groups[comparison.groups["metric"] == metric].set_index("group").reindex(order)
        pos = np.arange(1, len(order) + 1) + 0.3
        a.errorbar(pos, stats["mean"], yerr=[stats["mean"] - stats["ci_low"], stats["ci_high"] - stats["mean"]],
                   fmt="o", color="black", capsize=3, label=f"mean, {comparison.confidence:.0%} CI")
        a.set_title(metric)
        a.legend(loc="best", fontsize="small")
    if fig is None:
        return axes[0]
    fig.suptitle(f"by {comparison.by}")
    fig.tight_layout()
    return axes[0] if len(metrics) == 1 else fig


def plot_timeline(
    scores: pd.DataFrame,
    date: str = "date",
    metrics: Sequence[str] = ("hostility", "courtesy"),
    tenures: TenureTable | None = None,
    *,
    ax: Any = None,
) -> Any:
    """Statement scores over time with shaded tenure bands (default: Japanese prime
    ministers from :func:`tonekit.eras.japan_prime_ministers`); returns the Axes.

    ``date`` takes what :func:`tonekit.assign_era` takes (datetimes, time-zone-aware
    ones, ISO strings with mixed UTC offsets); each statement is placed on its calendar
    date as written, the day that decides its era. The tenure labels sit inside the
    plot, in headroom above the points, and the legend outside it: neither hides a
    point, and a title set afterwards has the space above the plot to itself.
    """
    from .eras import calendar_days, japan_prime_ministers

    table = japan_prime_ministers() if tenures is None else tenures
    # The eras' own conversion: a point then falls in the band of the era it is assigned.
    when = pd.Series(pd.to_datetime(calendar_days(scores[date], date)), index=scores.index)
    ax = _axes(ax, (10, 4))
    for metric in metrics:
        ax.scatter(when, scores[metric], s=16, alpha=0.75, label=metric,
                   color=_DIMENSION_COLOURS.get(metric), marker=_DIMENSION_MARKERS.get(metric, "o"))
    lo, hi = when.min(), when.max()
    if pd.notna(lo):
        bottom, top = ax.get_ylim()
        ax.set_ylim(bottom, top + 0.12 * (top - bottom))  # headroom for the tenure labels
        shown = 0
        for t in table:
            start = pd.Timestamp(t.start)
            end = pd.Timestamp(t.end) if t.end else hi
            if end < lo or start > hi:
                continue
            left, right = max(start, lo - pd.Timedelta(days=30)), min(end, hi + pd.Timedelta(days=30))
            ax.axvspan(left, right, color="#f0f0f0" if shown % 2 else "#dfe6ee", zorder=0)
            ax.text(left + (right - left) / 2, 0.985, t.label, transform=ax.get_xaxis_transform(),
                    ha="center", va="top", fontsize="small", clip_on=True)
            shown += 1
    ax.set_ylabel("score")
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0.0, fontsize="small")
    return ax


def plot_category_rates(
    rates: pd.DataFrame,
    categories: Sequence[str] | None = None,
    *,
    ax: Any = None,
) -> Any:
    """Grouped horizontal bars of category rates with CIs (the output of
    :func:`tonekit.keyness.category_rates`); default categories: those with any rate > 0."""
    if categories is None:
        live = rates.groupby("category", sort=False)["rate"].max()
        categories = [c for c in rates["category"].drop_duplicates() if live.get(c, 0) > 0]
    groups = list(dict.fromkeys(rates["group"]))
    ax = _axes(ax, (7, 0.45 * len(categories) * max(1, len(groups) / 2) + 1.5))
    height = 0.8 / max(len(groups), 1)
    y = np.arange(len(categories))
    for i, g in enumerate(groups):
        sub = rates[rates["group"] == g].set_index("category").reindex(categories)
        err = np.vstack([(sub["rate"] - sub["ci_low"]).clip(lower=0), (sub["ci_high"] - sub["rate"]).clip(lower=0)])
        ax.barh(y + i * height, sub["rate"], height=height, xerr=err, capsize=2, label=str(g))
    ax.set_yticks(y + height * (len(groups) - 1) / 2)
    ax.set_yticklabels(categories)
    ax.invert_yaxis()
    ax.set_xlabel("weighted markers per 100 tokens")
    ax.legend(fontsize="small")
    return ax


def plot_keyness(keyness: Keyness, n: int = 10, *, ax: Any = None, max_label: int = 40) -> Any:
    """Bars of z for the ``n`` markers most typical of each group, coloured by the
    dimension of the marker (hostility or courtesy), whichever group it favours; labels
    longer than ``max_label`` characters (construction patterns) are shortened. Returns
    the Axes.

    >>> plot_keyness(keyness(markers_table(corpus), by="era", a="Abe", b="Kishida"))  # doctest: +SKIP
    """
    from matplotlib.patches import Patch

    top_a, top_b = keyness.top(n, keyness.a), keyness.top(n, keyness.b)
    rows = pd.concat([top_b.iloc[::-1], top_a.iloc[::-1]], ignore_index=True)
    ax = _axes(ax, (7, 0.3 * len(rows) + 1.5))
    colours = [_DIMENSION_COLOURS.get(d, _DIMENSION_COLOURS["tone"]) for d in rows["dimension"]]
    ax.barh(np.arange(len(rows)), rows["z"], color=colours)
    ax.set_yticks(np.arange(len(rows)))
    ax.set_yticklabels([_shortened(str(label), max_label) for label in rows[keyness.key]])
    ax.axvline(0, color="black", linewidth=0.8)
    ax.set_xlabel(f"z (log-odds ratio, informative Dirichlet prior): <- {keyness.b}   {keyness.a} ->")
    ax.set_title(f"Markers typical of {keyness.a} (right) and of {keyness.b} (left)")
    dimensions = [d for d in ("hostility", "courtesy") if d in set(rows["dimension"])]
    if dimensions:
        ax.legend(handles=[Patch(color=_DIMENSION_COLOURS[d], label=d) for d in dimensions],
                  loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0.0, fontsize="small")
    return ax


def _shortened(label: str, limit: int) -> str:
    return label if len(label) <= limit else label[: limit - 1].rstrip() + "…"
