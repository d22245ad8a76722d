"""The :class:`Lexicon`: entries with their categories and modifier cues, read from and
written to its two files, validated as a whole.

>>> lex = Lexicon.default()
>>> lex.name, lex.categories["epithet"].dimension
('diplomatic-en', 'hostility')
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from functools import cached_property, lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import pandas as pd

from .entries import check_entries, entries_text, entry_from_mapping, parse_entries
from .metadata import (
    MetadataSpec,
    Modifiers,
    check_category,
    check_modifiers,
    loose_categories,
    read_max_weight,
    read_metadata,
)
from .model import (
    DEFAULT_LEXICON,
    DIMENSIONS,
    ENTRY_COLUMNS,
    Category,
    Entry,
    LexiconError,
    LexiconProblem,
)

#: Metadata keys that :class:`Lexicon` holds in its own fields.
_FIELD_KEYS = frozenset({"name", "version", "language", "description", "categories", "modifiers"})


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
        digest.update(entries_text(self.entries).encode("utf-8"))
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
        raw, spec, problems = read_metadata(metadata, metadata_file)
        rows = parse_entries(entries_csv, file, problems)
        if spec is None:
            # The entries are still checked, against the categories and bound as written.
            categories, max_weight = loose_categories(raw), read_max_weight(raw, metadata_file)[0]
            slots = None
        else:
            categories, max_weight, slots = spec.to_categories(), spec.max_weight, spec.modifiers.slots
        problems.extend(check_entries(rows, categories, max_weight, file, slots))
        if problems:
            raise LexiconError(problems)
        return cls._build(spec, raw, [entry for _, entry in rows])

    def to_strings(self) -> tuple[str, dict[str, Any]]:
        """The entries CSV text and the metadata dict (see :meth:`from_strings`)."""
        return entries_text(self.entries), self.metadata_dict()

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
        built = [e if isinstance(e, Entry) else entry_from_mapping(e) for e in entries]
        if modifiers is None:
            mods = Modifiers()
        elif isinstance(modifiers, Modifiers):
            mods = modifiers
        else:
            mods = Modifiers.from_dict(modifiers, file=f"{name or 'lexicon'}.json")
        return cls(name, version, language, cats, tuple(built), mods, description)

    @classmethod
    def _build(cls, spec: MetadataSpec, raw: Mapping[str, Any], entries: list[Entry]) -> Lexicon:
        return cls(
            name=spec.name,
            version=spec.version,
            language=spec.language,
            categories=spec.to_categories(),
            entries=tuple(entries),
            modifiers=spec.modifiers.to_modifiers(),
            description=spec.description,
            # Keys the fields above do not hold (max_weight, notes) stay as written.
            metadata={k: v for k, v in raw.items() if k not in _FIELD_KEYS},
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
    """Every problem of an in-memory lexicon (empty list when it is sound): the same
    rules as for its files, located as if it had been read from them."""
    stem = lexicon.name if isinstance(lexicon.name, str) and lexicon.name.strip() else "lexicon"
    file = file or f"{stem}.csv"
    meta_file = f"{stem}.json"
    problems: list[LexiconProblem] = []
    # As in the metadata file: a list or a dict would be stringified into the label.
    for key in ("name", "version", "language", "description"):
        value = getattr(lexicon, key)
        if not isinstance(value, str):
            problems.append(LexiconProblem(meta_file, None, key, f"must be a string, got {value!r:.60}"))
    if isinstance(lexicon.name, str) and not lexicon.name.strip():
        problems.append(LexiconProblem(meta_file, None, "name", "missing lexicon name"))
    if isinstance(lexicon.version, str) and not lexicon.version.strip():
        problems.append(LexiconProblem(meta_file, None, "version", "missing lexicon version"))
    for cat in lexicon.categories.values():
        problems.extend(check_category(cat, meta_file))
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
    turning = mods.refusal_turns or mods.refusal_predicates or mods.refusal_dismissals
    if turning and lexicon.categories.get(mods.refusal_category, None) is None:
        problems.append(LexiconProblem(meta_file, None, "modifiers.refusal.category",
                                       f"refusal category {mods.refusal_category!r} is not declared"))
    for k, name in enumerate(mods.refusal_turns):
        if name not in lexicon.categories:
            problems.append(LexiconProblem(meta_file, None, f"modifiers.refusal.turns[{k}]",
                                           f"category {name!r} is not declared"))
    max_weight, max_weight_problems = read_max_weight(lexicon.metadata, meta_file)
    problems.extend(max_weight_problems)
    problems.extend(check_modifiers(mods, meta_file, max_weight))
    rows = [(i + 2, e) for i, e in enumerate(lexicon.entries)]
    problems.extend(check_entries(rows, lexicon.categories, max_weight, file, mods.slots))
    return problems


def bundled_names() -> list[str]:
    """Names of the lexicons shipped with tonekit (``diplomatic-en``, ``diplomatic-ko``, ...)."""
    base = resources.files("tonekit") / "data" / "lexicons"
    return sorted(p.name[:-4] for p in base.iterdir() if p.name.endswith(".csv"))


@lru_cache(maxsize=8)
def bundled(name: str) -> Lexicon:
    """A lexicon shipped with tonekit, by name (cached)."""
    base = resources.files("tonekit") / "data" / "lexicons"
    available = bundled_names()
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
