"""Parsing JSON Lines records, one line at a time, without losing a value silently.

orjson reads the common line (an object of strings and integers); the standard
library reads the rest, so that integers beyond 64 bits stay exact. A line that is no
JSON object is a problem of its own; a record that holds what a corpus cannot keep as
read is kept, with a problem naming the field:

- ``NaN``, ``Infinity`` and ``-Infinity`` (which Python writes, but JSON has no such
  number) are kept as their text;
- a value nested more than :data:`MAX_DEPTH` levels deep is kept as its JSON text
  (deeper values would exhaust Python's stack when read, compared or written);
- an unpaired surrogate escape (``"\\ud800"``) is kept as the text of its escape.

>>> record, problem = parse_record(b'{"id": "s1", "text": "Japan", "v": NaN}')
>>> record["v"], problem
('NaN', ('v', "not valid JSON: NaN is not a JSON number (kept as the text 'NaN')"))
"""

from __future__ import annotations

import json
import re
from typing import Any

import orjson

from .validate import value_kind

__all__ = ["MAX_DEPTH", "parse_record"]

#: How deep a value of a record may be nested (a list in an object is 2 levels).
MAX_DEPTH = 200

# Records of scalars that are no floats are orjson's alone; the standard library reads
# the others again (orjson reads integers beyond 64 bits as floats).
_REREAD = frozenset({float, list, dict})
# What a scan of the nesting looks at: strings (skipped whole), brackets, separators.
_TOKENS = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{},:]')

Problem = tuple[str | None, str]  # (field, message)

class _Literal(str):
    """A ``NaN`` or ``Infinity`` literal, as read: text that marks where it was."""


_DECODER = json.JSONDecoder(parse_constant=_Literal)


def parse_record(raw: bytes) -> tuple[Any, Problem | None]:
    """One non-blank line: ``(record, None)``; ``(record, (field, message))`` for a
    record kept with a problem; ``(None, (field, message))`` for a line that is no
    record (not UTF-8, not JSON, not an object)."""
    try:
        record = orjson.loads(raw)
    except orjson.JSONDecodeError:
        rejected = True  # the standard library says what is wrong (or accepts it)
    else:
        if isinstance(record, dict) and _REREAD.isdisjoint(map(type, record.values())):
            return record, None
        rejected = False
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return None, (None, f"not valid UTF-8 ({exc.reason})")
    # (The record itself is one level more than its values.)
    if text.count("[") + text.count("{") > MAX_DEPTH + 1 and _depth(text) > MAX_DEPTH + 1:
        return _deep_record(text)
    try:
        record = _DECODER.decode(text)
    except json.JSONDecodeError as exc:
        return None, (_json_error_field(text, exc.pos), f"not valid JSON ({exc.msg})")
    except RecursionError:  # deeper than the scan saw (a broken line): not read
        return None, (None, f"not valid JSON (nested more than {MAX_DEPTH} levels deep)")
    if not isinstance(record, dict):
        return None, (None, f"expected a JSON object, found {value_kind(record)}")
    literals = _literals(record) if "NaN" in text or "Infinity" in text else []
    if literals:
        fields = [key for key, value in record.items() if _literals(key) or _literals(value)]
        names = list(dict.fromkeys(literals))
        record = _plain(record)
        if len(names) == 1:
            message = f"not valid JSON: {names[0]} is not a JSON number (kept as the text {names[0]!r})"
        else:
            message = f"not valid JSON: {', '.join(names)} are not JSON numbers (kept as their text)"
        return record, (", ".join(fields), message)
    # Valid JSON, but an escape such as "\ud800" (which orjson rejects) is no Unicode
    # that UTF-8, and so a file or a pandas string column, can hold.
    unpaired = [key for key, value in record.items() if _has_unpaired_surrogate([key, value])] if rejected else []
    if unpaired:
        fields = ", ".join(map(_escape_unpaired, unpaired))
        message = "not valid Unicode: an unpaired surrogate, kept as the text of its \\u escape"
        return _escape_unpaired(record), (fields, message)
    return record, None


def _json_error_field(line: str, pos: int) -> str | None:
    """Best guess of the key whose value holds a JSON syntax error."""
    keys = re.findall(r'"((?:[^"\\]|\\.)*)"\s*:', line[:pos])
    return keys[-1] if keys else None


def _depth(text: str) -> int:
    """How deep the brackets of ``text`` nest (outside strings), found without recursion."""
    depth = deepest = 0
    for m in _TOKENS.finditer(text):
        token = m.group()
        if token == "[" or token == "{":
            depth += 1
            deepest = max(deepest, depth)
        elif token == "]" or token == "}":
            depth -= 1
    return deepest


def _deep_record(text: str) -> tuple[Any, Problem]:
    """A line nested deeper than :data:`MAX_DEPTH`: its members are split by a scan
    (no recursion), the shallow ones read and the deep ones kept as their JSON text."""
    members = _members(text.strip())
    too_deep = f"not read: nested more than {MAX_DEPTH} levels deep"
    if members is None:
        return None, (None, f"not valid JSON or no JSON object ({too_deep})")
    record: dict[str, Any] = {}
    deep: list[str] = []
    literal: list[str] = []
    try:
        for key_text, value_text, depth in members:
            key = json.loads(key_text)
            if not isinstance(key, str):
                raise ValueError
            if depth > MAX_DEPTH:
                record[key] = value_text
                deep.append(key)
            else:
                value = _DECODER.decode(value_text)
                if _literals(value):
                    literal.append(key)
                record[key] = _plain(value)
    except ValueError:  # JSONDecodeError too
        return None, (None, f"not valid JSON ({too_deep})")
    message = f"a value nested more than {MAX_DEPTH} levels deep (kept as its JSON text)"
    if literal:  # NaN or Infinity beside it: kept as text, and said
        message += f"; not valid JSON in {', '.join(map(repr, literal))}: NaN or Infinity (kept as text)"
    return record, (", ".join(deep), message)


def _members(text: str) -> list[tuple[str, str, int]] | None:
    """``(key text, value text, value depth)`` of each member of the JSON object
    ``text``; None where ``text`` is no well-bracketed object."""
    if not text.startswith("{"):
        return None
    members: list[tuple[str, str, int]] = []
    depth = deepest = 0
    start = 1
    key: str | None = None
    for m in _TOKENS.finditer(text):
        token = m.group()
        if token == "[" or token == "{":
            depth += 1
            deepest = max(deepest, depth - 1)
        elif token == "]" or token == "}":
            depth -= 1
            if depth == 0:
                if key is not None:
                    members.append((key, text[start : m.start()].strip(), deepest))
                elif text[start : m.start()].strip():
                    return None
                return members if not text[m.end() :].strip() and token == "}" else None
        elif depth == 1 and token == ":" and key is None:
            key, start, deepest = text[start : m.start()].strip(), m.end(), 0
        elif depth == 1 and token == ",":
            if key is None:
                return None
            members.append((key, text[start : m.start()].strip(), deepest))
            key, start = None, m.end()
    return None


def _literals(value: Any) -> list[str]:
    """The :class:`_Literal` values in ``value``, in order."""
    if isinstance(value, _Literal):
        return [value]
    if isinstance(value, list):
        return [x for v in value for x in _literals(v)]
    if isinstance(value, dict):
        return [x for k, v in value.items() for x in _literals(k) + _literals(v)]
    return []


def _plain(value: Any) -> Any:
    """``value`` with each :class:`_Literal` made a plain string."""
    if isinstance(value, _Literal):
        return str(value)
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def _has_unpaired_surrogate(value: Any) -> bool:
    try:
        json.dumps(value, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _escape_unpaired(value: Any) -> Any:
    """``value`` with unpaired surrogates written as ``\\udXXX`` text (strings in lists and
    objects too)."""
    if isinstance(value, str):
        return value.encode("utf-8", "backslashreplace").decode("utf-8")
    if isinstance(value, list):
        return [_escape_unpaired(v) for v in value]
    if isinstance(value, dict):
        return {_escape_unpaired(k): _escape_unpaired(v) for k, v in value.items()}
    return value
