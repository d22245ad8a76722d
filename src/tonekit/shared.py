"""Values and types that every layer shares: the bottom of the house, importing nothing
of tonekit. Besides paths and text checks, the way a pydantic ``ValidationError``
becomes problems that name a field (``modifiers.negation[1]``), used by the lexicon
metadata and the behaviour-case files alike.

>>> unpaired_surrogate("idiot \\ud800!")
'an unpaired surrogate \\\\ud800 at character 6'
"""

from __future__ import annotations

import os
import secrets
import stat
from importlib.metadata import PackageNotFoundError, version
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import IO
from typing import Any, Union

from pydantic import ValidationError
from pydantic_core import PydanticCustomError

try:
    __version__ = version("tonekit")
except PackageNotFoundError:  # running from a source tree without installation
    __version__ = "0+unknown"

#: A file path as users give it.
PathLike = Union[str, "os.PathLike[str]"]


def location(file: str, line: int | None = None, field: str | None = None, *, row: int | None = None) -> str:
    """Where a problem is, as error messages name it: ``file, line 3, field 'text'`` (the
    row, when there is no line).

    >>> location("statements.csv", 3, "text")
    "statements.csv, line 3, field 'text'"
    """
    where = [file]
    if line is not None:
        where.append(f"line {line}")
    elif row is not None:
        where.append(f"row {row}")
    if field:
        where.append(f"field {field!r}")
    return ", ".join(where)


def unpaired_surrogate(text: str) -> str | None:
    """Where ``text`` has a character UTF-8 cannot encode (an unpaired surrogate), said
    for the user: ``an unpaired surrogate \\ud800 at character 4``; None if nowhere."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        escape = text[exc.start].encode("unicode_escape").decode("ascii")
        return f"an unpaired surrogate {escape} at character {exc.start}"
    return None


#: The ``error`` of a row whose text is empty or only whitespace: it has nothing to score.
EMPTY_TEXT = "empty text"


def is_empty_text(text: str) -> bool:
    """True for an empty or whitespace-only text (a row of it gets :data:`EMPTY_TEXT`).

    >>> is_empty_text(" \\n"), is_empty_text("Thank you.")
    (True, False)
    """
    return not text or text.isspace()


def plain_str(text: str) -> str:
    """``text`` as a plain ``str``: a subclass of ``str`` is a text too, but spaCy's
    tokenizer takes only the exact type. The copy keeps the characters (a subclass's
    own ``__str__`` is not called).

    >>> class Statement(str): ...
    >>> type(plain_str(Statement("Thank you."))).__name__
    'str'
    """
    return text if type(text) is str else str.__str__(text)


def write_text_file(path: str | os.PathLike[str], write: Callable[[IO[str]], Any]) -> None:
    """Write a UTF-8 text file whole or not at all: ``write`` fills a hidden file beside
    ``path``, which then replaces it. A new file gets the permissions the umask gives
    (not ``mkstemp``'s 0600); a replaced file keeps its own, as ``cp`` keeps them.

    >>> write_text_file("scores.csv", lambda fh: fh.write("id,hostility"))  # doctest: +SKIP
    """
    dest = Path(path)
    while True:
        tmp = dest.with_name(f".{dest.name}.{secrets.token_hex(4)}.tmp")
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
            break
        except FileExistsError:
            continue
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            write(fh)
        try:
            mode = os.stat(dest).st_mode
        except OSError:
            mode = None
        if mode is not None and stat.S_ISREG(mode):
            os.chmod(tmp, stat.S_IMODE(mode))
        os.replace(tmp, dest)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def markdown_cell(text: str) -> str:
    """``text`` safe inside a cell of a Markdown table: pipes and backslashes escaped, one
    line, and no HTML (labels and ids come from user files).

    >>> markdown_cell("a|b <i>")
    'a\\\\|b &lt;i&gt;'
    """
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ").replace("<", "&lt;").replace(">", "&gt;")


# -- validation with pydantic: errors become located problems ---------------------------

_RULES = "tonekit_rules"


def non_blank(text: str) -> str:
    """A pydantic validator: the text itself, or an error when it is blank.

    >>> non_blank("diplomatic-en")
    'diplomatic-en'
    """
    if not text.strip():
        raise ValueError(f"must be a non-empty string, got {text!r}")
    return text


def rule_error(*problems: tuple[tuple[str | int, ...], str]) -> PydanticCustomError:
    """The error a model validator raises for rules that span fields: each problem is its
    location relative to the model and a message, so a report can still name the field
    (pydantic itself would place a model validator's error on the model as a whole).

    >>> rule_error((("text",), "give exactly one of 'text' or 'template'")).type
    'tonekit_rules'
    """
    summary = "; ".join(message for _, message in problems)
    return PydanticCustomError(_RULES, "{summary}", {"summary": summary, "problems": tuple(problems)})


def field_path(loc: Iterable[str | int]) -> str:
    """A pydantic location as the field it names: ``('modifiers', 'negation', 1)`` ->
    ``modifiers.negation[1]``; a mapping key's own location reads as the key.

    >>> field_path(("expect", 0, "op")), field_path(("intensifiers", "very", "[key]"))
    ('expect[0].op', 'intensifiers.very')
    """
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        elif part != "[key]":
            path += f".{part}" if path else str(part)
    return path


def validation_problems(error: ValidationError, skip: int = 0) -> list[tuple[str, str]]:
    """``(field path, message)`` for each error of a pydantic ``ValidationError``, in
    order; ``skip`` drops leading location parts (a tagged union's tag).

    >>> from pydantic import BaseModel
    >>> class Point(BaseModel):
    ...     x: float
    >>> try:
    ...     Point.model_validate({"x": "east"})
    ... except ValidationError as exc:
    ...     validation_problems(exc)
    [('x', "must be a number, got 'east'")]
    """
    out: list[tuple[str, str]] = []
    for e in error.errors():
        loc = tuple(e["loc"][skip:])
        if e["type"] == _RULES:
            out += [(field_path(loc + tuple(where)), message) for where, message in e["ctx"]["problems"]]
        else:
            out.append((field_path(loc), _message(e)))
    return out


# Plain words for pydantic's error types, which otherwise name its own classes.
_SAID = {
    "missing": "missing",
    "extra_forbidden": "unknown field",
    "model_type": "must be an object",
    "model_attributes_type": "must be an object",
    "dict_type": "must be an object",
    "list_type": "must be a list",
    "string_type": "must be a string",
    "float_type": "must be a number",
    "float_parsing": "must be a number",
    "int_type": "must be a whole number",
    "int_parsing": "must be a whole number",
    "int_from_float": "must be a whole number",
    "bool_type": "must be true or false",
    "bool_parsing": "must be true or false",
    "too_short": "must not be empty",
}


def _message(e: Mapping[str, Any]) -> str:
    kind = e["type"]
    if kind in ("missing", "extra_forbidden"):
        return _SAID[kind]
    if kind in ("value_error", "assertion_error"):
        return str(e["ctx"]["error"])
    msg = _SAID.get(kind) or e["msg"]
    msg = "must" + msg[len("Input should"):] if msg.startswith("Input should") else msg[:1].lower() + msg[1:]
    value = e.get("input")
    return msg if isinstance(value, Mapping) else f"{msg}, got {value!r}"
