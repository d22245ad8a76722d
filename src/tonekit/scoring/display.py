"""A scored text as escaped HTML with its markers highlighted: what a result shows in a
notebook, and what :func:`tonekit.render` returns.

Every piece of text (statement, marker terms, modifier cues, category names) is escaped
with :func:`html.escape`; markers are ``<mark>`` elements coloured by category (reds for
hostility, greens and blues for courtesy) whose ``title`` (shown on hover) gives the
category, term, weight, effective weight and modifiers. A marker that a modifier cancelled
(effective weight 0, e.g. negated) is struck through.

>>> import tonekit
>>> html_text = render_html(tonekit.score("<script>alert(1)</script> You idiot! (constructed)"))
>>> "<script>" in html_text, "&lt;script&gt;" in html_text
(False, True)
"""

from __future__ import annotations

import html
import zlib
from typing import Any

_HOSTILE = ("#ffb3b3", "#ffc99e", "#ffd6e7", "#f4b6c2", "#ffcf87", "#f7a9a8", "#e8b4d8")
_COURTEOUS = ("#b8e6b8", "#b3d9ff", "#c7f0d8", "#a8e0e0", "#d1e8a8", "#c2d4f5", "#9fdfbf")


def category_colour(category: str, dimension: str) -> str:
    """A stable background colour for a category (reds: hostility, greens/blues: courtesy)."""
    palette = _HOSTILE if dimension == "hostility" else _COURTEOUS
    return palette[zlib.crc32(category.encode("utf-8")) % len(palette)]


def _marker_title(m: Any) -> str:
    lines = [f"{m.category} ({m.dimension})", f"term: {m.term}",
             f"weight {m.weight:g} -> effective {m.effective_weight:g}"]
    lines += [f"{x.kind} '{x.cue}' x{x.factor:g}" for x in m.modifiers]
    return "\n".join(lines)


def render_html(result: Any) -> str:
    """The statement of ``result`` (a :class:`~tonekit.scoring.ToneResult`) as escaped
    HTML with its markers highlighted.

    >>> import tonekit
    >>> "title=" in render_html(tonekit.score("We sincerely regret it. (constructed)"))
    True
    """
    esc = html.escape
    text = result.text
    markers = sorted(result.markers, key=lambda m: (m.start_char, -m.end_char))
    cuts = sorted({0, len(text), *(m.start_char for m in markers), *(m.end_char for m in markers)})
    body = []
    for start, end in zip(cuts, cuts[1:]):
        piece = esc(text[start:end])
        covering = [m for m in markers if m.start_char <= start and end <= m.end_char]
        if covering:
            main = max(covering, key=lambda m: (m.effective_weight, m.weight))
            style = f"background:{category_colour(main.category, main.dimension)};padding:0 2px;border-radius:3px"
            if main.effective_weight <= 0:
                style += ";text-decoration:line-through"
            title = esc("\n\n".join(_marker_title(m) for m in covering), quote=True)
            # the dimension as data: a page can set the two apart by more than hue
            piece = (f'<mark class="tonekit-marker" data-dimension="{esc(main.dimension, quote=True)}" '
                     f'style="{style}" title="{title}">{piece}</mark>')
        body.append(piece)
        for m in markers:
            if m.end_char == end and covering and m in covering:
                body.append(f'<sup style="font-size:0.65em;color:#555;margin-right:2px">{esc(m.category)}</sup>')
    head = (f"hostility {result.hostility:.3f} &middot; courtesy {result.courtesy:.3f} &middot; "
            f"tone {result.tone:+.3f} &middot; {result.n_tokens} tokens &middot; {result.n_markers} markers"
            + (f" &middot; {esc(result.lexicon)}" if result.lexicon else ""))
    seen: dict[str, str] = {}
    for m in markers:
        seen.setdefault(m.category, m.dimension)
    legend = " ".join(
        f'<span style="background:{category_colour(c, d)};padding:0 4px;border-radius:3px">{esc(c)}</span>'
        for c, d in seen.items()
    )
    return (
        '<div class="tonekit-render" style="font-family:sans-serif;line-height:1.9">'
        f'<div style="font-size:0.85em;color:#444">{head}</div>'
        f'<div style="white-space:pre-wrap;margin:0.3em 0">{"".join(body)}</div>'
        + (f'<div style="font-size:0.8em">{legend}</div>' if legend else "")
        + "</div>"
    )
