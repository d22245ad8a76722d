"""Corpora as the regression checks read them: documents with unique ids, scored one row
per text, in order.

>>> texts = document_texts(load_corpus("dprk_japan"), "text")
>>> rows = score_rows(texts[:2])
>>> list(rows.columns[:3]), len(rows)
(['hostility', 'courtesy', 'tone'], 2)
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from pathlib import Path

import pandas as pd

from ..batch import score_corpus
from ..lexicon import Lexicon, resolve
from ..pipeline import score
from ..scoring import SCALE

LexiconLike = Lexicon | str | Path | None
CorpusLike = pd.DataFrame | str | Path

#: Scores compared by :func:`~tonekit.regression.check` (the bounded scores; rates move with them).
CHECKED_COLUMNS = ("hostility", "courtesy", "tone")
#: Rates compared by :func:`~tonekit.regression.check` (scores saturate: a rate still
#: shows a marker reweighted in a text already hostile).
RATE_COLUMNS = ("hostility_rate", "courtesy_rate")
#: Score columns stored by :func:`~tonekit.regression.snapshot`.
SNAPSHOT_COLUMNS = ("hostility", "courtesy", "tone", "hostility_rate", "courtesy_rate", "n_tokens", "n_markers")
#: The snapshot column of a document's markers (see :func:`markers_cell`).
MARKERS_COLUMN = "markers"
#: A rate change of ``SCALE * t`` moves a score by at most ``t``: the default tolerance of
#: rates for a tolerance ``t`` of scores.
RATE_TOLERANCE_PER_SCORE = SCALE
#: Decimals of an effective weight in a snapshot: finer differences are not changes.
WEIGHT_DECIMALS = 6
#: Below this a score difference is floating-point noise, not a change.
EPS = 1e-9


def load_corpus(corpus: CorpusLike, text: str = "text") -> pd.DataFrame:
    """A DataFrame as is, a corpus file (csv/jsonl/parquet, with its texts in column
    ``text``; dates are kept as written, not checked) or a bundled corpus name.

    >>> load_corpus("dprk_japan").shape[0] > 50
    True
    """
    if isinstance(corpus, pd.DataFrame):
        return corpus
    from .. import corpora
    from ..corpus import read_chunks, resolve_format

    path = Path(corpus)
    if path.exists() or path.suffix.lower() in (".csv", ".jsonl", ".parquet"):
        # Validated as read_corpus does; the checks never read dates: a bad one is no problem.
        (df,) = read_chunks(path, resolve_format(path, None), None, None, False, text=text)
        return df
    return corpora.load(str(corpus))


def document_ids(df: pd.DataFrame, id_column: str) -> list[str]:
    """The ids of the documents (the index when there is no id column); must be unique."""
    ids = [str(x) for x in df[id_column]] if id_column in df.columns else [str(x) for x in df.index]
    seen: set[str] = set()
    dupes = [x for x in ids if x in seen or seen.add(x)]
    if dupes:
        raise ValueError(f"document ids must be unique; repeated: {', '.join(dict.fromkeys(dupes))}")
    return ids


def document_texts(df: pd.DataFrame, text: str) -> list[str]:
    """The texts of the ``text`` column; a missing value is the empty text."""
    if text not in df.columns:
        raise ValueError(f"the corpus has no {text!r} column (columns: {', '.join(map(str, df.columns))})")
    return ["" if not isinstance(t, str) else t for t in df[text]]


def score_rows(texts: Iterable[str], lexicon: LexiconLike = None) -> pd.DataFrame:
    """Document scores and category rates, one row per text, in order."""
    scored = score_corpus(pd.DataFrame({"text": list(texts)}), lexicon=lexicon, progress=False)
    return scored.drop(columns=["text", "error"]).reset_index(drop=True)


#: A marker as a snapshot keeps it: ``(term, category, effective weight)``.
MarkerKey = tuple[str, str, float]


def document_markers(texts: Iterable[str], lexicon: LexiconLike = None) -> list[tuple[MarkerKey, ...]]:
    """The markers of each text as ``(term, category, effective weight)``, sorted, repeats
    kept (markers that count and those negated or distanced to zero alike).

    >>> document_markers(["The puppets will pay dearly. (constructed)"])[0][0][:2]
    ('pay dearly', 'threat')
    """
    lex = resolve(lexicon)
    keys = []
    for text in texts:
        markers = score(text, lexicon=lex).markers
        keys.append(tuple(sorted((m.term, m.category, round(m.effective_weight, WEIGHT_DECIMALS)) for m in markers)))
    return keys


def markers_cell(markers: Sequence[MarkerKey]) -> str:
    """A document's markers as a snapshot cell: a JSON list of ``[term, category, weight]``.

    >>> markers_cell([("puppet", "epithet", 2.5)])
    '[["puppet","epithet",2.5]]'
    """
    return json.dumps([list(m) for m in markers], ensure_ascii=False, separators=(",", ":"))


def parse_markers_cell(cell: str) -> tuple[MarkerKey, ...]:
    """The inverse of :func:`markers_cell`; ``ValueError`` when the cell is not one."""
    try:
        items = json.loads(cell or "[]")
        markers = tuple(sorted((str(t), str(c), round(float(w), WEIGHT_DECIMALS)) for t, c, w in items))
    except (TypeError, ValueError) as exc:
        raise ValueError(f"not a list of [term, category, weight]: {cell!r:.80}") from exc
    return markers
