"""What translation does to tone: the scores of the same statements in two languages.

:func:`compare_translations` aligns two score tables by an id column (the Korean
originals and their English versions, say) and reports, per statement, both languages'
scores and the shift between them; over the corpus, Spearman's rank correlation of each
metric between the languages; and the statements whose tone the translation moved
most, with the markers each side found (when the tables keep their texts).

>>> import pandas as pd
>>> en = pd.DataFrame({"id": ["a", "b", "c"], "hostility": [0.9, 0.1, 0.5], "courtesy": [0.0, 0.8, 0.1],
...                    "tone": [-0.9, 0.7, -0.4]})
>>> ko = pd.DataFrame({"id": ["c", "a", "b"], "hostility": [0.6, 0.95, 0.0], "courtesy": [0.0, 0.0, 0.9],
...                    "tone": [-0.6, -0.95, 0.9]})
>>> result = compare_translations(en, ko, languages=("en", "ko"))
>>> result.n, result.spearman["hostility"], result.moved.iloc[0]["id"]
(3, 1.0, 'b')
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

import numpy as np
import pandas as pd

from .lexicon import Lexicon
from .pipeline import score
from .stats import spearman

METRICS = ("hostility", "courtesy", "tone")


@dataclass(frozen=True)
class TranslationComparison:
    """Scores of the same statements in two languages.

    ``table`` has one row per statement found in both tables: the id, each metric per
    language (``hostility_en``, ``hostility_ko``, ...) and ``shift`` (tone in the second
    language minus tone in the first); ``spearman`` the rank correlation of each metric
    between the languages; ``moved`` the ``top`` statements with the largest absolute
    shift, with the markers that count on each side (``markers_en``, ``markers_ko``:
    "term (category)" in text order; empty without texts); ``same_sign`` the share of
    statements whose tone has the same sign in both languages (0 counts as a sign).
    """

    table: pd.DataFrame
    spearman: Mapping[str, float]
    moved: pd.DataFrame
    languages: tuple[str, str]
    on: str
    same_sign: float

    @property
    def n(self) -> int:
        return len(self.table)

    def __repr__(self) -> str:
        a, b = self.languages
        rhos = ", ".join(f"{m} {rho:.2f}" for m, rho in self.spearman.items())
        return (f"TranslationComparison({a} vs {b}: {self.n} statements; Spearman {rhos}; "
                f"same tone sign {self.same_sign:.0%})")


def compare_translations(
    first: pd.DataFrame,
    second: pd.DataFrame,
    on: str = "id",
    *,
    languages: Sequence[str] = ("en", "ko"),
    lexicons: Sequence[Lexicon | str | None] | None = None,
    metrics: Sequence[str] = METRICS,
    top: int = 5,
    text: str = "text",
) -> TranslationComparison:
    """Compare the scores of statements in two languages, aligned by ``on``.

    ``first`` and ``second`` are score tables (:func:`~tonekit.score_corpus` output).
    Where both keep their ``text`` column, the markers of the most moved statements are
    listed, found with ``lexicons`` (default: ``diplomatic-<language>`` for each side).
    """
    a, b = languages
    if a == b:
        raise ValueError(f"the two languages must differ, got {a!r} twice")
    for name, df in ((a, first), (b, second)):
        missing = [c for c in (on, *metrics) if c not in df.columns]
        if missing:
            raise ValueError(f"the {name} table lacks column(s) {', '.join(missing)}")
        if df[on].duplicated().any():
            raise ValueError(f"the {name} table repeats ids in {on!r}: each statement must appear once")
    keep = [on, *metrics]
    texts = text in first.columns and text in second.columns
    left = first[keep + ([text] if texts else [])]
    right = second[keep + ([text] if texts else [])]
    table = left.merge(right, on=on, suffixes=(f"_{a}", f"_{b}"), sort=False)
    table = table.dropna(subset=[f"{m}_{side}" for m in metrics for side in (a, b)])
    table = table.sort_values(on, kind="stable").reset_index(drop=True)
    rho = {m: round(float(spearman(table[f"{m}_{a}"].to_numpy(float), table[f"{m}_{b}"].to_numpy(float))), 6)
           if len(table) > 1 else float("nan") for m in metrics}
    basis = "tone" if "tone" in metrics else metrics[0]  # what a shift is measured on
    table["shift"] = table[f"{basis}_{b}"] - table[f"{basis}_{a}"]
    same = float(np.mean(np.sign(table[f"{basis}_{a}"]) == np.sign(table[f"{basis}_{b}"]))) if len(table) else float("nan")
    order = table["shift"].abs().sort_values(ascending=False, kind="stable").index[:top]
    moved = table.loc[order, [on, f"{basis}_{a}", f"{basis}_{b}", "shift"]].copy()
    lexs = list(lexicons) if lexicons is not None else [f"diplomatic-{a}", f"diplomatic-{b}"]
    for side, lex in zip((a, b), lexs):
        moved[f"markers_{side}"] = [
            _markers(table.at[i, f"{text}_{side}"], lex) if texts else () for i in order
        ]
    if texts:
        table = table.drop(columns=[f"{text}_{a}", f"{text}_{b}"])
    return TranslationComparison(table, MappingProxyType(rho), moved.reset_index(drop=True), (a, b), on, same)


def _markers(value: Any, lexicon: Lexicon | str | None) -> tuple[str, ...]:
    if not isinstance(value, str) or not value.strip():
        return ()
    return tuple(f"{m.term} ({m.category})" for m in score(value, lexicon=lexicon).markers if m.effective_weight > 0)
