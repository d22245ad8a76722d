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
    def from_dict(cls, data: Mapping[str, Any]) -> Modifiers:
        contrast = data.get("contrast", {})
        distancing = data.get("distancing", {})
        return cls(
            negation=tuple(data.get("negation", ())),
            negation_exceptions=tuple(data.get("negation_exceptions", ())),
            negation_factor=float(data.get("negation_factor", 0.0)),
            negation_transparent=tuple(data.get("negation_transparent", ())),
            intensifiers={str(k): float(v) for k, v in data.get("intensifiers", {}).items()},
            downtoners={str(k): float(v) for k, v in data.get("downtoners", {}).items()},
            contrast=tuple(contrast.get("cues", ())),
            contrast_before=float(contrast.get("before", 0.5)),
            contrast_after=float(contrast.get("after", 1.5)),
            distancing=tuple(distancing.get("cues", ())),
            distancing_category=str(distancing.get("category", "distancing")),
            distancing_weight=float(distancing.get("weight", 1.0)),
            scare_quote_max_tokens=int(distancing.get("scare_quote_max_tokens", 5)),
        )

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
        problems.extend(_check_entries(rows, categories, _max_weight(meta), file))
        if problems:
            raise LexiconError(problems)
        return cls._build(meta, categories, [entry for _, entry in rows])

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
            mods = Modifiers.from_dict(modifiers)
        return cls(name, version, language, cats, tuple(built), mods, description)

    @classmethod
    def _build(
        cls, meta: Mapping[str, Any], categories: Mapping[str, Category], entries: list[Entry]
    ) -> Lexicon:
        known = {"name", "version", "language", "description", "categories", "modifiers"}
        return cls(
            name=str(meta.get("name", "")),
            version=str(meta.get("version", "")),
            language=str(meta.get("language", "en")),
            categories=dict(categories),
            entries=tuple(entries),
            modifiers=Modifiers.from_dict(meta.get("modifiers", {})),
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
    max_weight = float(lexicon.metadata.get("max_weight", DEFAULT_MAX_WEIGHT))
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


def _max_weight(meta: Mapping[str, Any]) -> float:
    try:
        return float(meta.get("max_weight", DEFAULT_MAX_WEIGHT))
    except (TypeError, ValueError):
        return DEFAULT_MAX_WEIGHT


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
            bad("weight", f"weight must be in (0, {max_weight:g}], got {e.weight!r}")
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
                    f"({prev.dimension}/{prev.category}/{prev.weight:g} vs "
                    f"{e.dimension}/{e.category}/{e.weight:g})",
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
        writer.writerow([e.term, e.dimension, e.category, f"{e.weight:g}", e.match, e.note])
    return buffer.getvalue()


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
