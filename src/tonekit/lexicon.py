"""Labeled lexicons: the data model, reading and writing, validation with locations.

A lexicon is two plain files side by side:

* ``NAME.csv`` — one entry per row: ``term, dimension, category, weight, match, note``.
* ``NAME.json`` — metadata: name, version, language, the declared categories (each
  with its dimension, definition and example) and the modifier cues (negators,
  intensifiers, downtoners, contrast and distancing cues).

Both are data: they are parsed, validated and never executed.

>>> lex = Lexicon.default()
>>> lex.name, len(lex) > 500
('diplomatic-en', True)
>>> entry = next(e for e in lex if e.term == "puppet")
>>> entry.dimension
'hostility'
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import math
import numbers
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from functools import cached_property, lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import pandas as pd

DIMENSIONS = ("hostility", "courtesy")
MATCH_MODES = ("lemma", "lower", "exact")
ENTRY_COLUMNS = ("term", "dimension", "category", "weight", "match", "note")
DEFAULT_LEXICON = "diplomatic-en"
DEFAULT_MAX_WEIGHT = 3.0


@dataclass(frozen=True)
class Entry:
    """One lexicon entry: a word or multiword term with its label and weight."""

    term: str
    dimension: str
    category: str
    weight: float
    match: str = "lemma"
    note: str = ""

    @property
    def key(self) -> str:
        """The identity of a term within a lexicon (case- and space-insensitive)."""
        return " ".join(self.term.lower().split())


@dataclass(frozen=True)
class Category:
    """A declared category of one dimension, with its definition and an example."""

    name: str
    dimension: str
    definition: str
    example: str = ""
    source: str = ""


@dataclass(frozen=True)
class Modifiers:
    """Cue words that change a marker's weight, and the factors they apply.

    ``negation_factor`` multiplies a negated marker (0 cancels it, the marker stays
    visible as evidence). Verbs of volition in ``negation_transparent`` pass negation on
    to their object ("does not seek retaliation"); other verbs stop it ("will never
    tolerate the provocations"). ``contrast_before``/``contrast_after`` weigh markers on
    either side of a contrast cue in the same sentence ("..., but ...").

    Every factor is a finite number >= 0; ``negation_factor`` and downtoners are at
    most 1 and intensifiers at least 1. ``distancing_weight`` is a marker weight, in
    ``(0, max_weight]`` like an entry's; ``scare_quote_max_tokens`` is at least 1.
    """

    negation: tuple[str, ...] = ()
    negation_exceptions: tuple[str, ...] = ()
    negation_factor: float = 0.0
    negation_transparent: tuple[str, ...] = ()
    intensifiers: Mapping[str, float] = field(default_factory=dict)
    downtoners: Mapping[str, float] = field(default_factory=dict)
    contrast: tuple[str, ...] = ()
    contrast_before: float = 0.5
    contrast_after: float = 1.5
    distancing: tuple[str, ...] = ()
    distancing_category: str = "distancing"
    distancing_weight: float = 1.0
    scare_quote_max_tokens: int = 5

    @cached_property
    def transparent_verbs(self) -> frozenset[str]:
        return frozenset(self.negation_transparent)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], *, file: str = "lexicon.json") -> Modifiers:
        """Modifiers from the metadata's ``modifiers`` object.

        Raises :class:`LexiconError` naming ``file`` and each bad field, e.g.
        ``modifiers.negation`` given a string instead of a list of words.
        """
        problems: list[LexiconProblem] = []
        mods = _parse_modifiers(data, file, problems)
        # The weight scale is the lexicon's: validate() checks distancing.weight against it.
        problems.extend(_check_modifiers(mods, file, math.inf))
        if problems:
            raise LexiconError(problems)
        return mods

    def to_dict(self) -> dict[str, Any]:
        return {
            "negation": list(self.negation),
            "negation_exceptions": list(self.negation_exceptions),
            "negation_factor": self.negation_factor,
            "negation_transparent": list(self.negation_transparent),
            "intensifiers": dict(self.intensifiers),
            "downtoners": dict(self.downtoners),
            "contrast": {
                "cues": list(self.contrast),
                "before": self.contrast_before,
                "after": self.contrast_after,
            },
            "distancing": {
                "cues": list(self.distancing),
                "category": self.distancing_category,
                "weight": self.distancing_weight,
                "scare_quote_max_tokens": self.scare_quote_max_tokens,
            },
        }


@dataclass(frozen=True)
class LexiconProblem:
    """One validation problem, located by file, line and field."""

    file: str
    line: int | None
    field: str | None
    message: str

    def __str__(self) -> str:
        where = [self.file]
        if self.line is not None:
            where.append(f"line {self.line}")
        if self.field:
            where.append(f"field '{self.field}'")
        return f"{', '.join(where)}: {self.message}"


class LexiconError(ValueError):
    """Raised with every problem found in a lexicon, not just the first."""

    def __init__(self, problems: Iterable[LexiconProblem]):
        self.problems = tuple(problems)
        lines = "\n".join(f"  {p}" for p in self.problems)
        super().__init__(f"{len(self.problems)} problem(s) in lexicon:\n{lines}")


@dataclass(frozen=True)
class Lexicon:
    """A labeled lexicon of hostility and courtesy markers.

    >>> lex = Lexicon.default()
    >>> sorted({e.dimension for e in lex})
    ['courtesy', 'hostility']
    """

    name: str
    version: str
    language: str
    categories: Mapping[str, Category]
    entries: tuple[Entry, ...]
    modifiers: Modifiers = field(default_factory=Modifiers)
    description: str = ""
    metadata: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        problems = validate(self)
        if problems:
            raise LexiconError(problems)

    # -- container protocol -------------------------------------------------
    def __iter__(self) -> Iterator[Entry]:
        return iter(self.entries)

    def __len__(self) -> int:
        return len(self.entries)

    def __repr__(self) -> str:
        dims = {d: sum(e.dimension == d for e in self.entries) for d in DIMENSIONS}
        return (
            f"Lexicon({self.name!r}, version={self.version!r}, entries={len(self)}, "
            f"hostility={dims['hostility']}, courtesy={dims['courtesy']}, "
            f"categories={len(self.categories)})"
        )

    @property
    def label(self) -> str:
        """``name@version``, recorded next to every score."""
        return f"{self.name}@{self.version}"

    def categories_of(self, dimension: str) -> tuple[str, ...]:
        """Category names of one dimension, in declaration order."""
        return tuple(n for n, c in self.categories.items() if c.dimension == dimension)

    @cached_property
    def content_hash(self) -> str:
        """SHA-256 of the canonical files: equal hashes, equal scores."""
        digest = hashlib.sha256()
        digest.update(_entries_csv(self.entries).encode("utf-8"))
        digest.update(json.dumps(self.metadata_dict(), sort_keys=True).encode("utf-8"))
        return digest.hexdigest()

    # -- reading and writing ------------------------------------------------
    @classmethod
    def default(cls) -> Lexicon:
        """The bundled ``diplomatic-en`` lexicon."""
        return bundled(DEFAULT_LEXICON)

    @classmethod
    def from_csv(cls, path: str | Path, metadata: str | Path | None = None) -> Lexicon:
        """Read ``path`` (entries) and its metadata (default: same stem, ``.json``).

        Raises :class:`LexiconError` listing every problem with file, line and field.
        """
        path = Path(path)
        meta_path = Path(metadata) if metadata is not None else path.with_suffix(".json")
        try:
            text = path.read_text(encoding="utf-8-sig")
            meta_text = meta_path.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            where = getattr(exc, "filename", None) or path
            raise LexiconError([LexiconProblem(str(where), None, None, f"cannot read: {exc}")]) from exc
        return cls.from_strings(text, meta_text, file=path.name, metadata_file=meta_path.name)

    @classmethod
    def from_strings(
        cls,
        entries_csv: str,
        metadata: str | Mapping[str, Any],
        *,
        file: str = "lexicon.csv",
        metadata_file: str = "lexicon.json",
    ) -> Lexicon:
        """Parse a lexicon from the text of its two files (or the metadata as a dict)."""
        problems: list[LexiconProblem] = []
        meta = _parse_metadata(metadata, metadata_file, problems)
        rows = _parse_entries(entries_csv, file, problems)
        categories = _parse_categories(meta, metadata_file, problems)
        max_weight = _max_weight(meta, metadata_file, problems)
        modifiers = _parse_modifiers(meta.get("modifiers", {}), metadata_file, problems)
        problems.extend(_check_modifiers(modifiers, metadata_file, max_weight))
        problems.extend(_check_entries(rows, categories, max_weight, file))
        if problems:
            raise LexiconError(problems)
        return cls._build(meta, categories, [entry for _, entry in rows], modifiers)

    def to_strings(self) -> tuple[str, dict[str, Any]]:
        """The entries CSV text and the metadata dict (see :meth:`from_strings`)."""
        return _entries_csv(self.entries), self.metadata_dict()

    @classmethod
    def from_records(
        cls,
        entries: Iterable[Entry | Mapping[str, Any]],
        *,
        name: str,
        version: str = "0",
        categories: Mapping[str, Category | Mapping[str, Any]],
        language: str = "en",
        modifiers: Modifiers | Mapping[str, Any] | None = None,
        description: str = "",
    ) -> Lexicon:
        """Build a lexicon in memory, e.g. in a test or a notebook.

        >>> lex = Lexicon.from_records(
        ...     [{"term": "stooge", "dimension": "hostility", "category": "insult", "weight": 2}],
        ...     name="tiny",
        ...     categories={"insult": {"dimension": "hostility", "definition": "abuse"}},
        ... )
        >>> len(lex)
        1
        """
        cats = {
            n: c if isinstance(c, Category) else Category(name=n, **dict(c))
            for n, c in categories.items()
        }
        built = [e if isinstance(e, Entry) else _entry_from_mapping(e) for e in entries]
        if modifiers is None:
            mods = Modifiers()
        elif isinstance(modifiers, Modifiers):
            mods = modifiers
        else:
            mods = Modifiers.from_dict(modifiers, file=f"{name or 'lexicon'}.json")
        return cls(name, version, language, cats, tuple(built), mods, description)

    @classmethod
    def _build(
        cls,
        meta: Mapping[str, Any],
        categories: Mapping[str, Category],
        entries: list[Entry],
        modifiers: Modifiers,
    ) -> Lexicon:
        known = {"name", "version", "language", "description", "categories", "modifiers"}
        return cls(
            name=str(meta.get("name", "")),
            version=str(meta.get("version", "")),
            language=str(meta.get("language", "en")),
            categories=dict(categories),
            entries=tuple(entries),
            modifiers=modifiers,
            description=str(meta.get("description", "")),
            metadata={k: v for k, v in meta.items() if k not in known},
        )

    def metadata_dict(self) -> dict[str, Any]:
        """The JSON metadata file's content."""
        return {
            "name": self.name,
            "version": self.version,
            "language": self.language,
            "description": self.description,
            **dict(self.metadata),
            "categories": {
                n: {
                    k: v
                    for k, v in (
                        ("dimension", c.dimension),
                        ("definition", c.definition),
                        ("example", c.example),
                        ("source", c.source),
                    )
                    if v
                }
                for n, c in self.categories.items()
            },
            "modifiers": self.modifiers.to_dict(),
        }

    def to_csv(self, path: str | Path) -> Path:
        """Write ``path`` (entries) and the metadata beside it (same stem, ``.json``)."""
        path = Path(path)
        csv_text, metadata = self.to_strings()
        path.write_text(csv_text, encoding="utf-8")
        path.with_suffix(".json").write_text(
            json.dumps(metadata, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
        )
        return path

    def to_frame(self) -> pd.DataFrame:
        """Entries as a DataFrame with the CSV's columns."""
        return pd.DataFrame(
            [[getattr(e, c) for c in ENTRY_COLUMNS] for e in self.entries],
            columns=list(ENTRY_COLUMNS),
        )

    def replace(self, **changes: Any) -> Lexicon:
        """A copy with some fields changed (validated again)."""
        return replace(self, **changes)


def validate(lexicon: Lexicon, file: str | None = None) -> list[LexiconProblem]:
    """Every problem of an in-memory lexicon (empty list when it is sound)."""
    file = file or f"{lexicon.name or 'lexicon'}.csv"
    problems: list[LexiconProblem] = []
    meta_file = f"{lexicon.name or 'lexicon'}.json"
    if not lexicon.name:
        problems.append(LexiconProblem(meta_file, None, "name", "missing lexicon name"))
    for name, cat in lexicon.categories.items():
        problems.extend(_check_category(name, cat, meta_file))
    mods = lexicon.modifiers
    if mods.distancing and mods.distancing_category not in lexicon.categories:
        problems.append(
            LexiconProblem(
                meta_file,
                None,
                "modifiers.distancing.category",
                f"distancing category {mods.distancing_category!r} is not declared",
            )
        )
    max_weight = _max_weight(lexicon.metadata, meta_file, problems)
    problems.extend(_check_modifiers(mods, meta_file, max_weight))
    rows = [(i + 2, e) for i, e in enumerate(lexicon.entries)]
    problems.extend(_check_entries(rows, lexicon.categories, max_weight, file))
    return problems


@lru_cache(maxsize=8)
def bundled(name: str) -> Lexicon:
    """A lexicon shipped with tonekit, by name (cached)."""
    base = resources.files("tonekit") / "data" / "lexicons"
    available = sorted(p.name[:-4] for p in base.iterdir() if p.name.endswith(".csv"))
    if name not in available:
        raise KeyError(f"no bundled lexicon {name!r}; available: {', '.join(available)}")
    with resources.as_file(base / f"{name}.csv") as csv_path:
        return Lexicon.from_csv(csv_path)


def resolve(lexicon: Lexicon | str | Path | None) -> Lexicon:
    """Accept a Lexicon, a bundled name, a path to a CSV, or None (the default)."""
    if lexicon is None:
        return Lexicon.default()
    if isinstance(lexicon, Lexicon):
        return lexicon
    if isinstance(lexicon, (str, Path)):
        path = Path(lexicon)
        if path.suffix.lower() in (".json", ".yaml", ".yml"):
            # The metadata file, or a format tonekit does not read: say which file to give.
            raise LexiconError([LexiconProblem(
                str(path), None, None,
                f"a lexicon is given by its entries CSV ({path.with_suffix('.csv').name}), "
                "with its metadata in a JSON file of the same name beside it",
            )])
        if path.suffix.lower() == ".csv" or path.exists():
            return Lexicon.from_csv(path)
        return bundled(str(lexicon))
    raise TypeError(f"lexicon must be a Lexicon, a name or a path, not {type(lexicon).__name__}")


# -- parsing helpers -------------------------------------------------------------


def _parse_metadata(
    metadata: str | Mapping[str, Any], file: str, problems: list[LexiconProblem]
) -> dict[str, Any]:
    data: Any = metadata
    if isinstance(metadata, str):
        try:
            data = json.loads(metadata)
        except json.JSONDecodeError as exc:
            problems.append(LexiconProblem(file, exc.lineno, None, f"invalid JSON: {exc.msg}"))
            return {}
    if not isinstance(data, Mapping):
        problems.append(LexiconProblem(file, None, None, "metadata must be a JSON object"))
        return {}
    for key in ("name", "version"):
        if not str(data.get(key, "")).strip():
            problems.append(LexiconProblem(file, None, key, f"missing {key}"))
    return dict(data)


def _max_weight(meta: Mapping[str, Any], file: str, problems: list[LexiconProblem]) -> float:
    """The metadata's ``max_weight``; an invalid one is reported and gives ``inf``, so
    entries are then only checked for being positive rather than against a made-up bound."""
    raw = meta.get("max_weight", DEFAULT_MAX_WEIGHT)
    value = _to_number(raw)
    if value is None or not math.isfinite(value) or value <= 0:
        problems.append(
            LexiconProblem(file, None, "max_weight", f"max_weight must be a finite number > 0, got {raw!r}")
        )
        return math.inf
    return value


def _to_number(value: Any) -> float | None:
    """``value`` as a float, or None when it is not a number. Numeric strings pass, as
    they always did through float(); a JSON ``true`` is a mistake, not the factor 1."""
    if isinstance(value, bool):
        return None
    if isinstance(value, numbers.Real):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return None
    return None


# Where each Modifiers field sits in the metadata's "modifiers" object.
_MODIFIER_FIELDS = {
    "negation": "negation",
    "negation_exceptions": "negation_exceptions",
    "negation_factor": "negation_factor",
    "negation_transparent": "negation_transparent",
    "intensifiers": "intensifiers",
    "downtoners": "downtoners",
    "contrast": "contrast.cues",
    "contrast_before": "contrast.before",
    "contrast_after": "contrast.after",
    "distancing": "distancing.cues",
    "distancing_category": "distancing.category",
    "distancing_weight": "distancing.weight",
    "scare_quote_max_tokens": "distancing.scare_quote_max_tokens",
}
_WORD_FIELDS = ("negation", "negation_exceptions", "negation_transparent", "contrast", "distancing")
# Factors multiply a marker's weight (scoring.find_markers), so each must be finite and
# >= 0; negation and downtoners weaken a marker and intensifiers strengthen it, as their
# names (shown with every marker as evidence) say. (low, high) bounds, inclusive.
_FACTOR_BOUNDS = {
    "negation_factor": (0.0, 1.0),
    "contrast_before": (0.0, math.inf),
    "contrast_after": (0.0, math.inf),
    "intensifiers": (1.0, math.inf),
    "downtoners": (0.0, 1.0),
}


def _parse_modifiers(data: Any, file: str, problems: list[LexiconProblem]) -> Modifiers:
    """Modifiers from the metadata's ``modifiers`` object. A value of the wrong type is
    reported (file and field) and replaced by its default; ranges are left to
    :func:`_check_modifiers`, which also checks modifiers built in memory."""
    defaults = Modifiers()

    def bad(path: str, message: str) -> None:
        problems.append(LexiconProblem(file, None, f"modifiers.{path}" if path else "modifiers", message))

    def section(name: str) -> Mapping[str, Any]:
        value = data.get(name, {})
        if isinstance(value, Mapping):
            return value
        bad(name, f"must be an object, got {value!r}")
        return {}

    if not isinstance(data, Mapping):
        bad("", f"must be an object, got {data!r}")
        return defaults
    sources = {"": data, "contrast": section("contrast"), "distancing": section("distancing")}
    # A misspelt key ("negation_factr") would silently leave its default in force.
    known: dict[str, set[str]] = {}
    for path in _MODIFIER_FIELDS.values():
        parent, _, key = path.rpartition(".")
        known.setdefault(parent, set()).add(key)
    known[""] |= {"contrast", "distancing"}
    for parent, source in sources.items():
        for key in source:
            if key not in known[parent]:
                where = f"{parent}.{key}" if parent else str(key)
                bad(where, f"unknown key; known: {', '.join(sorted(known[parent]))}")
    values: dict[str, Any] = {}
    for attr, path in _MODIFIER_FIELDS.items():
        parent, _, key = path.rpartition(".")
        if key not in sources[parent]:
            continue
        raw = sources[parent][key]
        if attr in _WORD_FIELDS:
            # A string is iterable too: "not" would become the negators n, o and t.
            if isinstance(raw, (list, tuple)):
                values[attr] = tuple(raw)
            else:
                bad(path, f"must be a list of words, got {raw!r}")
        elif attr in ("intensifiers", "downtoners"):
            if not isinstance(raw, Mapping):
                bad(path, f"must be an object of word: factor, got {raw!r}")
                continue
            factors = {}
            for word, factor in raw.items():
                number = _to_number(factor)
                if number is None:
                    bad(f"{path}.{word}", f"factor must be a number, got {factor!r}")
                else:
                    factors[str(word)] = number
            values[attr] = factors
        elif attr == "distancing_category":
            if isinstance(raw, str):
                values[attr] = raw
            else:
                bad(path, f"must be a category name, got {raw!r}")
        elif attr == "scare_quote_max_tokens":
            number = _to_number(raw)
            if number is None or not number.is_integer():
                bad(path, f"must be a whole number of tokens, got {raw!r}")
            else:
                values[attr] = int(number)
        else:
            number = _to_number(raw)
            if number is None:
                bad(path, f"must be a number, got {raw!r}")
            else:
                values[attr] = number
    return replace(defaults, **values)


def _check_modifiers(mods: Modifiers, file: str, max_weight: float) -> list[LexiconProblem]:
    """Problems of modifier values: words non-empty strings, factors finite and within
    :data:`_FACTOR_BOUNDS`, the distancing weight on the entries' scale."""
    problems: list[LexiconProblem] = []

    def bad(attr: str, message: str, suffix: str = "") -> None:
        problems.append(LexiconProblem(file, None, f"modifiers.{_MODIFIER_FIELDS[attr]}{suffix}", message))

    def is_number(value: Any) -> bool:
        return isinstance(value, numbers.Real) and not isinstance(value, bool) and math.isfinite(value)

    for attr in _WORD_FIELDS:
        words = getattr(mods, attr)
        if isinstance(words, str) or not isinstance(words, (list, tuple)):
            bad(attr, f"must be a list of words, got {words!r}")
            continue
        for i, word in enumerate(words):
            if not isinstance(word, str) or not word.strip():
                bad(attr, f"must be a non-empty string, got {word!r}", f"[{i}]")
    for attr, (low, high) in _FACTOR_BOUNDS.items():
        value = getattr(mods, attr)
        if attr in ("intensifiers", "downtoners"):
            if not isinstance(value, Mapping):
                bad(attr, f"must be a mapping of word to factor, got {value!r}")
                continue
            items = [(f".{word}", word, factor) for word, factor in value.items()]
        else:
            items = [("", None, value)]
        for suffix, word, factor in items:
            if word is not None and (not isinstance(word, str) or not word.strip()):
                bad(attr, f"words must be non-empty strings, got {word!r}", suffix)
            if not is_number(factor) or not low <= factor <= high:
                span = f"in [{low:g}, {high:g}]" if math.isfinite(high) else f">= {low:g}"
                bad(attr, f"factor must be a finite number {span}, got {factor!r}", suffix)
    weight = mods.distancing_weight
    if not is_number(weight) or not 0 < weight <= max_weight:
        span = f"in (0, {_number_text(max_weight)}]" if math.isfinite(max_weight) else "> 0"
        bad("distancing_weight", f"weight must be a finite number {span}, got {weight!r}")
    if not isinstance(mods.distancing_category, str) or not mods.distancing_category.strip():
        bad("distancing_category", f"must be a category name, got {mods.distancing_category!r}")
    count = mods.scare_quote_max_tokens
    if isinstance(count, bool) or not isinstance(count, numbers.Integral) or count < 1:
        bad("scare_quote_max_tokens", f"must be a whole number >= 1, got {count!r}")
    return problems


def _parse_categories(
    meta: Mapping[str, Any], file: str, problems: list[LexiconProblem]
) -> dict[str, Category]:
    raw = meta.get("categories")
    if not isinstance(raw, dict) or not raw:
        if meta:
            problems.append(LexiconProblem(file, None, "categories", "no categories declared"))
        return {}
    categories = {}
    for name, spec in raw.items():
        if not isinstance(spec, dict):
            problems.append(
                LexiconProblem(file, None, f"categories.{name}", "must be an object")
            )
            continue
        cat = Category(
            name=name,
            dimension=str(spec.get("dimension", "")),
            definition=str(spec.get("definition", "")),
            example=str(spec.get("example", "")),
            source=str(spec.get("source", "")),
        )
        problems.extend(_check_category(name, cat, file))
        categories[name] = cat
    return categories


def _check_category(name: str, cat: Category, file: str) -> list[LexiconProblem]:
    problems = []
    if cat.dimension not in DIMENSIONS:
        problems.append(
            LexiconProblem(
                file,
                None,
                f"categories.{name}.dimension",
                f"dimension must be one of {DIMENSIONS}, got {cat.dimension!r}",
            )
        )
    if not cat.definition.strip():
        problems.append(
            LexiconProblem(file, None, f"categories.{name}.definition", "missing definition")
        )
    return problems


def _parse_entries(
    text: str, file: str, problems: list[LexiconProblem]
) -> list[tuple[int, Entry]]:
    """Parse the CSV; rows that cannot become entries are reported and skipped."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader)
    except StopIteration:
        problems.append(LexiconProblem(file, 1, None, "empty file: no header"))
        return []
    except csv.Error as exc:
        problems.append(LexiconProblem(file, 1, None, f"malformed CSV: {exc}"))
        return []
    header = [h.strip() for h in header]
    # A repeated column would silently lose one of its values; blank names (trailing
    # commas from spreadsheets) carry no value and may repeat.
    repeated = sorted({h for h in header if h and header.count(h) > 1}, key=header.index)
    for column in repeated:
        problems.append(
            LexiconProblem(file, 1, column, f"column {column!r} appears {header.count(column)} times")
        )
    if repeated:
        return []
    missing = [c for c in ENTRY_COLUMNS[:4] if c not in header]
    if missing:
        problems.append(
            LexiconProblem(file, 1, None, f"missing column(s): {', '.join(missing)}")
        )
        return []
    rows: list[tuple[int, Entry]] = []
    line = reader.line_num + 1
    while True:
        try:
            values = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            problems.append(LexiconProblem(file, line, None, f"malformed CSV: {exc}"))
            break
        start, line = line, reader.line_num + 1
        if not any(v.strip() for v in values):
            continue
        if len(values) != len(header):
            problems.append(
                LexiconProblem(
                    file,
                    start,
                    None,
                    f"expected {len(header)} fields, found {len(values)}",
                )
            )
            continue
        record = dict(zip(header, values))
        entry = _entry_from_mapping(record, lambda f, m: problems.append(LexiconProblem(file, start, f, m)))
        if entry is not None:
            rows.append((start, entry))
    return rows


def _entry_from_mapping(record: Mapping[str, Any], report=None) -> Entry | None:
    """An Entry from a CSV row or dict; weight problems go to ``report`` when given."""
    raw_weight = record.get("weight", "")
    try:
        weight = float(raw_weight)
    except (TypeError, ValueError):
        if report is None:
            raise
        report("weight", f"weight must be a number, got {raw_weight!r}")
        return None
    match = str(record.get("match") or "lemma").strip() or "lemma"
    return Entry(
        term=str(record.get("term", "") or "").strip(),
        dimension=str(record.get("dimension", "") or "").strip(),
        category=str(record.get("category", "") or "").strip(),
        weight=weight,
        match=match,
        note=str(record.get("note", "") or "").strip(),
    )


def _check_entries(
    rows: Iterable[tuple[int, Entry]],
    categories: Mapping[str, Category],
    max_weight: float,
    file: str,
) -> list[LexiconProblem]:
    problems: list[LexiconProblem] = []
    first_seen: dict[str, tuple[int, Entry]] = {}
    for line, e in rows:
        def bad(field_name: str, message: str, line: int = line) -> None:
            problems.append(LexiconProblem(file, line, field_name, message))

        if not e.term:
            bad("term", "empty term")
        elif e.term != " ".join(e.term.split()):
            # Terms are matched token by token: a line break, tab or doubled space never
            # matches ordinary text, yet Entry.key would hide the difference.
            bad("term", f"a term is words separated by single spaces (no line break, tab, doubled or surrounding space), got {e.term!r}")
        if e.dimension not in DIMENSIONS:
            bad("dimension", f"dimension must be one of {DIMENSIONS}, got {e.dimension!r}")
        if e.category not in categories:
            bad("category", f"unknown category {e.category!r} (not declared in the metadata)")
        elif e.dimension in DIMENSIONS and categories[e.category].dimension != e.dimension:
            bad(
                "dimension",
                f"category {e.category!r} belongs to {categories[e.category].dimension}, "
                f"not {e.dimension}",
            )
        if not math.isfinite(e.weight) or e.weight <= 0 or e.weight > max_weight:
            if math.isfinite(max_weight):
                bad("weight", f"weight must be in (0, {_number_text(max_weight)}], got {e.weight!r}")
            else:
                bad("weight", f"weight must be a finite number > 0, got {e.weight!r}")
        if e.match not in MATCH_MODES:
            bad("match", f"match must be one of {MATCH_MODES}, got {e.match!r}")
        if not e.term:
            continue
        if e.key in first_seen:
            prev_line, prev = first_seen[e.key]
            if (prev.dimension, prev.category, prev.weight) != (e.dimension, e.category, e.weight):
                bad(
                    "term",
                    f"{e.term!r} conflicts with line {prev_line} "
                    f"({prev.dimension}/{prev.category}/{_number_text(prev.weight)} vs "
                    f"{e.dimension}/{e.category}/{_number_text(e.weight)})",
                )
            else:
                bad("term", f"duplicate of line {prev_line}: {e.term!r}")
        else:
            first_seen[e.key] = (line, e)
    return problems


def _entries_csv(entries: Iterable[Entry]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(ENTRY_COLUMNS)
    for e in entries:
        writer.writerow([e.term, e.dimension, e.category, _number_text(e.weight), e.match, e.note])
    return buffer.getvalue()


def _number_text(value: float) -> str:
    """Text that reads back as exactly ``value``: ``:g`` wherever that round-trips, so
    existing files and content hashes are unchanged, else the shortest exact ``repr``."""
    value = float(value)  # repr of a numpy float would name its type
    text = format(value, "g")
    return text if float(text) == value else repr(value)


def diff(old, new, corpus=None, group: str | None = None, text: str = "text"):
    """Entries added, removed, relabelled and reweighted between two lexicons and, with a
    corpus, the documents whose scores change (see :func:`tonekit.regression.diff`).

    >>> old = Lexicon.default()
    >>> new = old.replace(entries=tuple(e for e in old if e.term != "stooge"))
    >>> [c.term for c in diff(old, new).removed]
    ['stooge']
    """
    from .regression import diff as _diff  # corpus and scoring code stay out of this module

    return _diff(old, new, corpus=corpus, group=group, text=text)
