"""Constructions: lexicon terms written as token patterns with gaps, alternatives and slots.

A curator writes a construction in the ``term`` cell of an entry whose ``match`` is
``pattern``. Elements are separated by spaces:

- ``word`` — the word with its inflections (``reduce`` matches *reduces*, *reduced*);
  ``=word`` — that form only;
- ``(a|b c|d)`` — one of the alternatives, each one or more words (or other elements);
- ``{m,n}`` — a gap of ``m`` to ``n`` tokens (at most 10) within the sentence;
- ``<name>`` — one of the words the metadata lists under ``modifiers.slots.name``;
- ``element?`` — an optional word, slot or alternative group.

>>> parse_pattern("(turn|reduce) {0,3} (into|to) (ashes|a sea of fire)")
[('alt', [[('word', 'turn')], [('word', 'reduce')]]), ('gap', 0, 3), ('alt', [[('word', 'into')], [('word', 'to')]]), ('alt', [[('word', 'ashes')], [('word', 'a'), ('word', 'sea'), ('word', 'of'), ('word', 'fire')]])]

A cell that starts with ``[`` is a spaCy token pattern in JSON, as in an ``EntityRuler``
file: ``[{"LOWER": "sea"}, {"LOWER": "of"}, {"LOWER": "fire"}]``.

Every construction is checked when the lexicon is read: a pattern that cannot be parsed,
names an unknown slot, begins or ends with a gap or an optional element (it would match
arbitrary text), or expands to too many sequences is an error naming file, line and field.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from typing import Any

MAX_GAP = 10
MAX_SEQUENCES = 64
_GAP = re.compile(r"^\{(\d+),(\d+)\}$")
_SLOT = re.compile(r"^<([A-Za-z_][A-Za-z0-9_]*)>$")

#: A parsed element: ``("word", w)``, ``("exact", w)``, ``("slot", name)``, ``("gap", m, n)``,
#: ``("alt", [sequence, ...])``, or ``("optional", element)``.
Element = tuple[Any, ...]


class PatternError(ValueError):
    """A construction that cannot be used, with the reason."""


def is_json_pattern(term: str) -> bool:
    return term.lstrip().startswith("[")


def _split(text: str) -> list[str]:
    """Top-level pieces separated by spaces; parentheses keep their content together."""
    pieces, depth, current = [], 0, ""
    for char in text:
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth < 0:
                raise PatternError("a ')' closes no '('")
        if char == " " and depth == 0:
            if current:
                pieces.append(current)
            current = ""
        else:
            current += char
    if depth:
        raise PatternError("a '(' is not closed")
    if current:
        pieces.append(current)
    return pieces


def _alternatives(inner: str) -> list[str]:
    parts, depth, current = [], 0, ""
    for char in inner:
        depth += (char == "(") - (char == ")")
        if char == "|" and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += char
    parts.append(current)
    return parts


def _element(piece: str, slots: Iterable[str] | None) -> Element:
    if piece.endswith("?") and len(piece) > 1:
        inner = _element(piece[:-1], slots)
        if inner[0] == "gap":
            raise PatternError(f"a gap cannot be optional: {piece!r} (write {{0,n}})")
        return ("optional", inner)
    if piece.startswith("(") and piece.endswith(")"):
        options = _alternatives(piece[1:-1])
        sequences = []
        for option in options:
            if not option.strip():
                raise PatternError(f"an empty alternative in {piece!r}")
            sequences.append(_sequence(option.strip(), slots))
        return ("alt", sequences)
    gap = _GAP.match(piece)
    if gap:
        low, high = int(gap.group(1)), int(gap.group(2))
        if low > high or high > MAX_GAP or high == 0:
            raise PatternError(f"a gap {piece!r} must have 0 <= m <= n <= {MAX_GAP} and n > 0")
        return ("gap", low, high)
    if piece.startswith("{") or piece.endswith("}"):
        raise PatternError(f"a gap is written {{m,n}}, got {piece!r}")
    slot = _SLOT.match(piece)
    if slot:
        name = slot.group(1)
        if slots is not None and name not in slots:
            raise PatternError(f"unknown slot <{name}> (declare it in modifiers.slots)")
        return ("slot", name)
    if any(c in piece for c in "()|<>"):
        raise PatternError(f"unexpected character in {piece!r}")
    if piece.startswith("="):
        if len(piece) == 1:
            raise PatternError("'=' must be followed by a word")
        return ("exact", piece[1:].lower())
    return ("word", piece.lower())


def _sequence(text: str, slots: Iterable[str] | None) -> list[Element]:
    return [_element(piece, slots) for piece in _split(text)]


def _anchored(element: Element) -> bool:
    """Whether an element always consumes a token that the pattern names."""
    if element[0] in ("word", "exact", "slot"):
        return True
    if element[0] == "alt":
        return all(seq and _anchored(seq[0]) and _anchored(seq[-1]) for seq in element[1])
    return False


def parse_pattern(text: str, slots: Iterable[str] | None = None) -> list[Element]:
    """The elements of a construction; raises :class:`PatternError` with the reason.

    ``slots`` are the slot names the lexicon declares (None: not checked).
    """
    elements = _sequence(" ".join(text.split()), None if slots is None else set(slots))
    if not elements:
        raise PatternError("an empty pattern")
    if not _anchored(elements[0]) or not _anchored(elements[-1]):
        raise PatternError("a pattern must begin and end with a word, a slot or alternatives of words")
    n = count_sequences(elements)
    if n > MAX_SEQUENCES:
        raise PatternError(f"the pattern expands to {n} token sequences (at most {MAX_SEQUENCES})")
    return elements


def count_sequences(elements: list[Element]) -> int:
    """How many spaCy token patterns the elements expand to (multiword alternatives and
    optional groups multiply; one-token alternatives do not)."""
    total = 1
    for element in elements:
        if element[0] == "alt" and not all(len(seq) == 1 and seq[0][0] in ("word", "exact") for seq in element[1]):
            total *= sum(count_sequences(seq) for seq in element[1])
        elif element[0] == "optional" and element[1][0] == "alt":
            total *= 1 + count_sequences([element[1]])
    return total


def parse_json_pattern(text: str) -> list[dict[str, Any]]:
    """A spaCy token pattern given as JSON, checked by spaCy's own schema."""
    try:
        pattern = json.loads(text)
    except json.JSONDecodeError as exc:
        raise PatternError(f"invalid JSON token pattern: {exc.msg}") from None
    except RecursionError:
        raise PatternError("invalid JSON token pattern: nested too deeply to read") from None
    if not isinstance(pattern, list) or not pattern or not all(isinstance(t, Mapping) for t in pattern):
        raise PatternError("a JSON token pattern is a non-empty list of token objects")
    from spacy.schemas import validate_token_pattern

    errors = validate_token_pattern(pattern)
    if errors:
        raise PatternError(f"invalid token pattern: {'; '.join(map(str, errors))}")
    return pattern


def check_pattern(term: str, slots: Mapping[str, Any] | None) -> str | None:
    """The problem of a construction, or None."""
    try:
        if is_json_pattern(term):
            parse_json_pattern(term)
        else:
            parse_pattern(term, None if slots is None else list(slots))
    except PatternError as exc:
        return str(exc)
    return None
