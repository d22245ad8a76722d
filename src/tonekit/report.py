"""One HTML page that anyone can open: the question, the answer, the numbers and the
statements behind them, from a scores table.

:func:`report` returns a single self-contained HTML document: no script, no request
(plots are inline SVG from matplotlib's SVG backend, styles are inline), a
Content-Security-Policy that forbids anything else, and every string that comes from
the corpus escaped (a Jinja2 template with autoescaping). From top to bottom: the
question and the answer in one sentence each, per-group means and intervals, the
comparison table, the timeline and group plots, the keyness terms coloured by
dimension, the most hostile and most courteous statements of each group with their
markers highlighted, and the method.

The statistics are :func:`tonekit.compare` and :func:`tonekit.keyness`; the answer
follows :meth:`tonekit.Comparison.direction` (bootstrap CI excludes 0 and Holm p < 5%).

Example
-------
>>> scores = tonekit.score_corpus(tonekit.corpora.load("dprk_japan"))        # doctest: +SKIP
>>> page = report(scores, by="era", groups=["Abe", "Suga", "Kishida"])        # doctest: +SKIP
>>> Path("report.html").write_text(page, encoding="utf-8")                    # doctest: +SKIP
"""

from __future__ import annotations

import datetime as dt
import html
import io
import math
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pandas as pd

from .compare import Comparison, compare
from .eras import assign_era
from .keyness import Keyness, keyness, markers_table
from .lexicon import Lexicon, resolve
from .pipeline import score
from .scoring import PRIOR_TOKENS, SCALE, render_html
from .shared import __version__, write_text_file
from .viz import plot_comparison, plot_timeline

__all__ = ["report", "write_report", "CSP"]

#: The page's Content-Security-Policy: nothing is fetched and no script runs.
CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"
TEMPLATE = "report.html.j2"
METRICS = ("hostility", "courtesy", "tone")
_WORDS = {"hostility": "hostile", "courtesy": "courteous"}


# -- sentences -------------------------------------------------------------------------------


def _statements_of(by: str, group: str) -> str:
    return f"the {group} era" if by == "era" else f"{by} {group}"


def _question(by: str, a: str, b: str) -> str:
    return (f"Are the statements of {_statements_of(by, b)} less hostile and more courteous "
            f"than those of {_statements_of(by, a)}?")


def _answer(cmp: Comparison, a: str, b: str) -> str:
    """One sentence per :meth:`Comparison.direction`, with the numbers behind each word."""
    parts = []
    for metric, word in _WORDS.items():
        if metric not in cmp.metrics:
            continue
        r = cmp.summary(metric, b, a)
        way = {1: f"more {word}", -1: f"less {word}", 0: f"not reliably more or less {word}"}[cmp.direction(metric, b, a)]
        parts.append(f"{way} ({_signed(r['mean_diff'])}, {cmp.confidence:.0%} CI [{_signed(r['ci_low'])}, "
                     f"{_signed(r['ci_high'])}], Holm p = {_p(r['p_holm'])}, Cliff's delta {_signed(r['cliffs_delta'], 2)})")
    head = f"Statements of {_statements_of(cmp.by, b)} are "
    return head + " and ".join(parts) + f" than those of {_statements_of(cmp.by, a)}."


def _signed(x: float, digits: int = 3) -> str:
    return "n/a" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{x:+.{digits}f}".replace("-", "\u2212")


def _num(x: float, digits: int = 3) -> str:
    return "n/a" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{x:.{digits}f}".replace("-", "\u2212")


def _p(x: float) -> str:
    return "n/a" if x is None or (isinstance(x, float) and math.isnan(x)) else ("< 0.0001" if x < 1e-4 else f"{x:.4f}")


# -- plots -----------------------------------------------------------------------------------


def _svg(drawn: Any, title: str, desc: str, prefix: str) -> str:
    """Inline SVG of a viz Axes or Figure, with ``<title>``/``<desc>`` and ids made unique
    (``prefix``), without the XML prologue and metadata."""
    import matplotlib
    import matplotlib.pyplot as plt

    fig = drawn if hasattr(drawn, "savefig") else drawn.figure
    buf = io.StringIO()
    try:
        # text as text (small, selectable); a fixed salt keeps the ids, and the page, the same
        with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": "tonekit"}):
            fig.savefig(buf, format="svg", bbox_inches="tight",
                        metadata={"Date": None, "Creator": None, "Format": None, "Type": None})
    finally:
        plt.close(fig)
    svg = buf.getvalue()
    svg = svg[svg.index("<svg"):]
    svg = re.sub(r"<metadata>.*?</metadata>\s*", "", svg, flags=re.S)
    # in tags only: the text of labels (escaped, so free of "<") stays as it is
    svg = re.sub(r'(<[^<>]*?\s)id="', rf'\1id="{prefix}-', svg)
    svg = re.sub(r'(<[^<>]*?\s(?:xlink:)?href=")#', rf"\1#{prefix}-", svg)
    svg = re.sub(r"(<[^<>]*?url\()#", rf"\1#{prefix}-", svg)
    end = svg.index(">") + 1
    return (f'<svg role="img" aria-labelledby="{prefix}-title {prefix}-desc" class="plot"{svg[4:end]}'
            f'<title id="{prefix}-title">{html.escape(title)}</title><desc id="{prefix}-desc">{html.escape(desc)}</desc>'
            + svg[end:])


# -- tables ----------------------------------------------------------------------------------


def _group_rows(cmp: Comparison) -> list[dict[str, Any]]:
    rows = []
    stats = cmp.groups.set_index(["group", "metric"])
    for g in cmp.group_order:
        cells = []
        for m in cmp.metrics:
            r = stats.loc[(g, m)]
            cells.append({"mean": _num(r["mean"]), "ci": f"[{_num(r['ci_low'])}, {_num(r['ci_high'])}]",
                          "missing": int(r["n_missing"])})
        first = stats.loc[(g, cmp.metrics[0])]
        rows.append({"group": g, "n": int(first["n"]), "small": bool(stats.loc[g, "small"].any()), "cells": cells})
    return rows


def _pair_rows(cmp: Comparison) -> list[dict[str, Any]]:
    return [{
        "metric": r.metric, "a": r.group_a, "b": r.group_b, "n": f"{r.n_a} / {r.n_b}",
        "diff": _signed(r.mean_diff), "ci": f"[{_signed(r.ci_low)}, {_signed(r.ci_high)}]",
        "p": _p(r.p_value), "p_holm": _p(r.p_holm), "delta": _signed(r.cliffs_delta, 2), "effect": r.effect,
        "small": bool(r.small),
    } for r in cmp.pairs.itertuples()]


def _keyness_rows(key: Keyness, lex: Lexicon, n: int) -> dict[str, list[dict[str, Any]]]:
    notes = {e.term: e.note for e in lex}
    out = {}
    for side in (key.a, key.b):
        top = key.top(n, side)
        peak = max(abs(top["z"]).max(), 1e-9) if len(top) else 1.0
        out[side] = [{
            "term": str(r[key.key]), "category": str(r.get("category", "")), "dimension": str(r.get("dimension", "")),
            "count_a": int(r["count_a"]), "count_b": int(r["count_b"]), "z": _signed(float(r["z"]), 2),
            "width": round(100 * abs(float(r["z"])) / peak), "note": notes.get(str(r[key.key]), ""),
        } for _, r in top.iterrows()]
    return out


def _samples(scores: pd.DataFrame, cmp: Comparison, text: str, id_col: str, date: str,
             lex: Lexicon, n: int) -> list[dict[str, Any]]:
    """The ``n`` most hostile and ``n`` most courteous statements of each group, rendered."""
    labels = scores[cmp.by].astype("string")
    out = []
    for g in cmp.group_order:
        sub = scores[(labels == g).fillna(False).to_numpy() & scores[text].map(lambda t: isinstance(t, str)).to_numpy()]
        kinds = []
        for metric in ("hostility", "courtesy"):
            if metric not in sub.columns:
                continue
            top = sub[sub[metric] > 0].sort_values(metric, ascending=False, kind="stable").head(n)
            items = []
            for _, row in top.iterrows():
                when = row.get(date) if date in sub.columns else None
                items.append({
                    "id": str(row[id_col]), "date": "" if when is None or pd.isna(when) else str(when)[:10],
                    "speaker": str(row["speaker"]) if "speaker" in sub.columns and pd.notna(row["speaker"]) else "",
                    "source": str(row["source_url"]) if "source_url" in sub.columns and pd.notna(row["source_url"]) else "",
                    "html": render_html(score(row[text], lexicon=lex)),
                })
            kinds.append({"metric": metric, "word": _WORDS[metric], "statements": items})
        out.append({"group": g, "kinds": kinds})
    return out


def _sources(scores: pd.DataFrame) -> list[tuple[str, int]]:
    """Statements per source site (the host of ``source_url``), most first."""
    if "source_url" not in scores.columns:
        return []
    hosts = scores["source_url"].dropna().astype(str).map(lambda u: urlsplit(u).hostname or u)
    counts = hosts.value_counts()
    return sorted(((str(h), int(c)) for h, c in counts.items()), key=lambda hc: (-hc[1], hc[0]))


# -- entry points ----------------------------------------------------------------------------


def report(
    scores: pd.DataFrame,
    by: str = "era",
    groups: Sequence[str] | None = None,
    *,
    title: str | None = None,
    lexicon: Lexicon | str | Path | None = None,
    text: str = "text",
    id: str = "id",  # noqa: A002 - the corpus column name
    date: str = "date",
    n_boot: int = 10_000,
    seed: int = 0,
    n_samples: int = 2,
    n_terms: int = 10,
    run_date: dt.date | None = None,
) -> str:
    """The HTML report of ``scores`` (a scores table) compared between the ``groups`` of ``by``.

    If ``by`` is ``"era"`` and the table has no era column, eras are assigned from its
    ``date`` column. The answer contrasts the first and the last group; keyness and the
    statements need the ``text`` column (scored again with ``lexicon``, which should be
    the one that made the scores). ``run_date`` (default: today, UTC) is printed in the
    method section; everything else depends on the inputs and ``seed`` only.

    >>> html_page = report(scores, by="era", groups=["Abe", "Kishida"])    # doctest: +SKIP
    >>> "<script" in html_page                                              # doctest: +SKIP
    False
    """
    if not isinstance(scores, pd.DataFrame):
        raise TypeError(f"report() expects a DataFrame of scores, not {type(scores).__name__}")
    if by not in scores.columns and by == "era" and date in scores.columns:
        scores = assign_era(scores, date=date)
    scores = scores.reset_index(drop=True)
    if id not in scores.columns:
        scores = scores.assign(**{id: [str(i + 1) for i in range(len(scores))]})
    lex = resolve(lexicon)
    metrics = [m for m in METRICS if m in scores.columns]
    cmp = compare(scores, by=by, groups=groups, metrics=metrics, n_boot=n_boot, seed=seed)
    a, b = cmp.group_order[0], cmp.group_order[-1]
    chosen = scores[scores[by].astype("string").isin(cmp.group_order).fillna(False).to_numpy()]
    groups_text = ", ".join(cmp.group_order)

    plots = []
    if date in chosen.columns:
        ax = plot_timeline(chosen, date=date, metrics=[m for m in ("hostility", "courtesy") if m in metrics])
        ax.set_title(f"Scores per statement over time ({groups_text})", pad=18)
        plots.append(_svg(ax, f"Timeline of hostility and courtesy, {groups_text}",
                          "Each statement's hostility (triangles) and courtesy (circles) score by date, "
                          "with the tenures shaded.", "timeline"))
    shown = [m for m in ("hostility", "courtesy") if m in metrics] or list(metrics)
    plots.append(_svg(plot_comparison(cmp, metrics=shown), f"{' and '.join(shown)} by {by}",
                      f"Box plots and points of each statement's {' and '.join(shown)} per group "
                      f"({groups_text}), with the mean and its {cmp.confidence:.0%} bootstrap interval.", "groups"))

    keyness_rows, keyness_note = {}, ""
    has_text = text in scores.columns
    if has_text:
        pair = chosen[chosen[by].astype("string").isin([a, b]).fillna(False).to_numpy()
                      & chosen[text].map(lambda t: isinstance(t, str)).to_numpy()]
        try:
            marks = markers_table(pair[[id, by, text]].astype({by: "string"}), text=text, lexicon=lex, id=id)
            keyness_rows = _keyness_rows(keyness(marks, by=by, a=a, b=b), lex, n_terms)
        except ValueError as exc:
            keyness_note = str(exc)
    else:
        keyness_note = f"the scores table has no {text!r} column"

    page = {
        "title": title or f"Tone of statements by {by}: {groups_text}",
        "csp": CSP,
        "question": _question(by, a, b),
        "answer": _answer(cmp, a, b),
        "by": by, "a": a, "b": b,
        "metrics": list(cmp.metrics),
        "group_rows": _group_rows(cmp),
        "pair_rows": _pair_rows(cmp),
        "small_groups": list(cmp.small_groups),
        "confidence": f"{cmp.confidence:.0%}",
        "plots": plots,
        "keyness_rows": keyness_rows, "keyness_note": keyness_note,
        "samples": _samples(chosen, cmp, text, id, date, lex, n_samples) if has_text and n_samples > 0 else [],
        "has_text": has_text,
        "lexicon": lex,
        "version": __version__,
        "run_date": (run_date or dt.datetime.now(dt.timezone.utc).date()).isoformat(),
        "n_statements": len(chosen), "n_boot": cmp.n_boot, "n_perm": cmp.n_perm, "seed": cmp.seed,
        "prior_tokens": f"{PRIOR_TOKENS:g}", "scale": f"{SCALE:g}",
        "sources": _sources(chosen),
        "outlets": (list(chosen["outlet"].dropna().astype(str).value_counts().sort_index().items())
                    if "outlet" in chosen.columns else []),
    }
    return _environment().get_template(TEMPLATE).render(**page)


def write_report(scores: pd.DataFrame, path: str | Path, **options: Any) -> Path:
    """Write :func:`report` to ``path`` (UTF-8, through a temporary file) and return the path.

    >>> write_report(scores, "report.html", groups=["Abe", "Kishida"])    # doctest: +SKIP
    """
    page = report(scores, **options)
    out = Path(path)
    write_text_file(out, lambda fh: fh.write(page))
    return out


def _environment() -> Any:
    import jinja2

    from markupsafe import Markup

    env = jinja2.Environment(loader=jinja2.PackageLoader("tonekit", "data/templates"),
                             autoescape=True, undefined=jinja2.StrictUndefined,
                             trim_blocks=True, lstrip_blocks=True)
    # the two pieces of trusted markup: plots and highlighted statements, both escaped where made
    env.filters["trusted"] = Markup
    return env
