"""Scoring: the rules that weigh markers, the formula that adds them up, the results.

- :mod:`~tonekit.scoring.rules` — the one rule engine (modifiers applied to lexicon hits);
- :mod:`~tonekit.scoring.clauses` — the rules that read a marker's clause (refusals, reported speech);
- :mod:`~tonekit.scoring.formula` — the one aggregation (:func:`totals`) and its formula;
- :mod:`~tonekit.scoring.results` — frozen results with their evidence, to and from plain data;
- :mod:`~tonekit.scoring.display` — a result as escaped HTML.

>>> round(saturate(3.0, 20), 3)
0.699
"""

from .display import category_colour, render_html
from .formula import PRIOR_TOKENS, SCALE, SCORE_COLUMNS, Totals, Weight, rate, saturate, totals
from .results import Marker, Modifier, SentenceTone, ToneResult, build_result, merge, result_data, sentence_tone
from .clauses import NO_CUES, QUOTE_CHARS, Cues, Hit
from .rules import MODIFIER_KINDS, Weighed, effective_weights, evidence, sentence_index, weigh

__all__ = [
    "MODIFIER_KINDS", "NO_CUES", "PRIOR_TOKENS", "QUOTE_CHARS", "SCALE", "SCORE_COLUMNS", "Cues", "Hit", "Marker", "Modifier",
    "SentenceTone", "ToneResult", "Totals", "Weighed", "Weight", "build_result", "category_colour",
    "effective_weights", "evidence", "merge", "rate", "render_html", "result_data", "saturate", "sentence_index",
    "sentence_tone", "totals", "weigh",
]
