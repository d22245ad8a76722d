"""The metadata file (``NAME.json``): its schema, and the modifier cues it declares.

The schema is a set of pydantic models; a ``ValidationError`` becomes
:class:`LexiconProblem` s naming the file and each field (``modifiers.negation[1]``).
What scoring reads is :class:`Modifiers`, a frozen dataclass built from the validated
``modifiers`` object.

>>> raw, spec, problems = read_metadata({"name": "tiny", "version": "1", "categories":
...     {"insult": {"dimension": "hostility", "definition": "abuse"}},
...     "modifiers": {"negation": "not"}}, "tiny.json")
>>> spec is None, [str(p) for p in problems]
(True, ["tiny.json, field 'modifiers.negation': must be a list, got 'not'"])
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    TypeAdapter,
    ValidationError,
    ValidationInfo,
    field_validator,
)

from ..shared import non_blank
from .model import DEFAULT_MAX_WEIGHT, DIMENSIONS, Category, LexiconError, LexiconProblem, number_text, problems_of


@dataclass(frozen=True)
class Modifiers:
    """Cue words that change a marker's weight, and the factors they apply.

    ``negation_factor`` multiplies a negated marker (0 cancels it, the marker stays
    visible as evidence). Verbs of volition in ``negation_transparent`` pass negation on
    to their object ("does not seek retaliation"); other verbs stop it ("will never
    tolerate the provocations"). ``negation_after`` lists negators that follow the word
    they negate (Korean 않다/없다, Japanese ない), matched by lemma where the tokenizer
    lemmatizes. ``contrast_before``/``contrast_after`` weigh markers on
    either side of a contrast cue in the same sentence ("..., but ...").

    Every factor is a finite number >= 0; ``negation_factor`` and downtoners are at
    most 1 and intensifiers at least 1. ``distancing_weight`` is a marker weight, in
    ``(0, max_weight]`` like an entry's; ``scare_quote_max_tokens`` is at least 1.

    The reading rules of clauses (:mod:`tonekit.scoring.rules`) are data too:

    - ``clause_breaks``: words and punctuation that end a clause (sentence ends always do);
    - ``refusal``: a courtesy marker of a category in ``refusal_turns`` (dialogue, goodwill)
      that is negated, follows a refusal predicate in its clause ("refuse", "no intention
      of") or is dismissed after it ("is not possible", "pointless") becomes a marker of
      ``refusal_category`` with ``refusal_weight``; its evidence names the cue;
    - ``condition``: a cue ("only if", "unless") in the clause of such a marker multiplies
      it by ``condition_factor``;
    - ``reported``: a hostility marker quoted and attributed to a reporting verb
      (``reporting_verbs``, with their inflections: "'...,' the paper wrote"), or after a
      naming verb (``naming_verbs``, the forms as listed: "they called him a fool") in its
      clause, whose subject is not in ``own_voice`` ("we"), is reported speech and
      multiplied by ``reported_factor``;
    - ``performative``: the ``performative_terms`` (topic nouns such as "condemnation") count
      only after a ``performative_cues`` word in their clause ("we", "our", "express");
      elsewhere they are evidence of weight 0;
    - ``slots``: word lists that constructions name as ``<slot>``.

    >>> Modifiers.from_dict({"negation": ["not"], "contrast": {"cues": ["but"]}}).contrast
    ('but',)
    """

    negation: tuple[str, ...] = ()
    negation_exceptions: tuple[str, ...] = ()
    negation_factor: float = 0.0
    negation_transparent: tuple[str, ...] = ()
    negation_after: tuple[str, ...] = ()
    intensifiers: Mapping[str, float] = field(default_factory=dict)
    downtoners: Mapping[str, float] = field(default_factory=dict)
    contrast: tuple[str, ...] = ()
    contrast_before: float = 0.5
    contrast_after: float = 1.5
    distancing: tuple[str, ...] = ()
    distancing_category: str = "distancing"
    distancing_weight: float = 1.0
    scare_quote_max_tokens: int = 5
    clause_breaks: tuple[str, ...] = ()
    refusal_turns: tuple[str, ...] = ()
    refusal_predicates: tuple[str, ...] = ()
    refusal_dismissals: tuple[str, ...] = ()
    refusal_category: str = "refusal"
    refusal_weight: float = 2.0
    condition: tuple[str, ...] = ()
    condition_factor: float = 0.5
    reporting_verbs: tuple[str, ...] = ()
    naming_verbs: tuple[str, ...] = ()
    reported_factor: float = 0.0
    own_voice: tuple[str, ...] = ()
    performative_terms: tuple[str, ...] = ()
    performative_cues: tuple[str, ...] = ()
    slots: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    @cached_property
    def transparent_verbs(self) -> frozenset[str]:
        return frozenset(self.negation_transparent)

    @cached_property
    def dismissal_keys(self) -> frozenset[str]:
        """The dismissals as entry keys (a dismissal may also be a lexicon entry)."""
        return frozenset(" ".join(d.lower().split()) for d in self.refusal_dismissals)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], *, file: str = "lexicon.json") -> Modifiers:
        """Modifiers from the metadata's ``modifiers`` object.

        Raises :class:`LexiconError` naming ``file`` and each bad field, e.g.
        ``modifiers.negation`` given a string instead of a list of words. The weight
        scale is the lexicon's: :func:`validate` checks ``distancing.weight`` against it.
        """
        try:
            return ModifiersSpec.model_validate(data).to_modifiers()
        except ValidationError as exc:
            raise LexiconError(problems_of(exc, file, "modifiers")) from None

    def to_dict(self) -> dict[str, Any]:
        """The metadata's ``modifiers`` object."""
        return _nested(self, list)


def _nested(mods: Modifiers, words: Any) -> dict[str, Any]:
    """The ``modifiers`` object's shape, word lists passed through ``words``."""
    # Keys in order; negation_after only when set, so that lexicons without it keep
    # their content hash.
    after = {"negation_after": words(mods.negation_after)} if mods.negation_after else {}
    return {
        "negation": words(mods.negation),
        **after,
        "negation_exceptions": words(mods.negation_exceptions),
        "negation_factor": mods.negation_factor,
        "negation_transparent": words(mods.negation_transparent),
        "intensifiers": dict(mods.intensifiers) if isinstance(mods.intensifiers, Mapping) else mods.intensifiers,
        "downtoners": dict(mods.downtoners) if isinstance(mods.downtoners, Mapping) else mods.downtoners,
        "contrast": {"cues": words(mods.contrast), "before": mods.contrast_before, "after": mods.contrast_after},
        "distancing": {
            "cues": words(mods.distancing),
            "category": mods.distancing_category,
            "weight": mods.distancing_weight,
            "scare_quote_max_tokens": mods.scare_quote_max_tokens,
        },
        "clause_breaks": words(mods.clause_breaks),
        "refusal": {
            "turns": words(mods.refusal_turns),
            "predicates": words(mods.refusal_predicates),
            "dismissals": words(mods.refusal_dismissals),
            "category": mods.refusal_category,
            "weight": mods.refusal_weight,
        },
        "condition": {"cues": words(mods.condition), "factor": mods.condition_factor},
        "reported": {
            "verbs": words(mods.reporting_verbs), "naming": words(mods.naming_verbs),
            "factor": mods.reported_factor, "own": words(mods.own_voice),
        },
        "performative": {"terms": words(mods.performative_terms), "cues": words(mods.performative_cues)},
        "slots": {name: words(values) for name, values in mods.slots.items()},
    }


# -- the schema -------------------------------------------------------------------------


def _not_bool(value: Any) -> Any:
    # A JSON ``true`` is a mistake, not the factor 1 (pydantic would read it as 1.0).
    if isinstance(value, bool):
        raise ValueError(f"must be a number, got {value!r}")
    return value



Text = Annotated[str, AfterValidator(non_blank)]
# Factors multiply a marker's weight (scoring), so each is finite and >= 0; negation and
# downtoners weaken a marker and intensifiers strengthen it, as their names (shown with
# every marker as evidence) say. Numeric strings pass, as they always did through float().
Number = Annotated[float, BeforeValidator(_not_bool), Field(allow_inf_nan=False)]
Factor = Annotated[Number, Field(ge=0)]
Weakening = Annotated[Number, Field(ge=0, le=1)]
Strengthening = Annotated[Number, Field(ge=1)]
MaxWeight = Annotated[Number, Field(gt=0)]
# A string is a sequence too: "not" must not become the negators n, o and t.
Words = list[Text]
_MAX_WEIGHT = TypeAdapter(MaxWeight)


class _Spec(BaseModel):
    # A misspelt key ("negation_factr") would silently leave its default in force.
    model_config = ConfigDict(extra="forbid", frozen=True)


_D = Modifiers()


class ContrastSpec(_Spec):
    cues: Words = list(_D.contrast)
    before: Factor = _D.contrast_before
    after: Factor = _D.contrast_after


class DistancingSpec(_Spec):
    cues: Words = list(_D.distancing)
    category: Text = _D.distancing_category
    weight: Number = _D.distancing_weight
    scare_quote_max_tokens: Annotated[int, BeforeValidator(_not_bool), Field(ge=1)] = _D.scare_quote_max_tokens

    @field_validator("weight")
    @classmethod
    def _on_the_scale(cls, weight: float, info: ValidationInfo) -> float:
        # A distancing marker is weighed like an entry: within the lexicon's max_weight,
        # given in the validation context (unknown: only positive).
        high = (info.context or {}).get("max_weight", math.inf)
        if not 0 < weight <= high:
            span = f"in (0, {number_text(high)}]" if math.isfinite(high) else "> 0"
            raise ValueError(f"weight must be a finite number {span}, got {weight!r}")
        return weight


class RefusalSpec(_Spec):
    turns: Words = []
    predicates: Words = []
    dismissals: Words = []
    category: Text = _D.refusal_category
    weight: Annotated[Number, Field(gt=0)] = _D.refusal_weight


class ConditionSpec(_Spec):
    cues: Words = []
    factor: Weakening = _D.condition_factor


class ReportedSpec(_Spec):
    verbs: Words = []
    naming: Words = []
    factor: Weakening = _D.reported_factor
    own: Words = []


class PerformativeSpec(_Spec):
    terms: Words = []
    cues: Words = []


class ModifiersSpec(_Spec):
    """The ``modifiers`` object of the metadata."""

    negation: Words = list(_D.negation)
    negation_exceptions: Words = list(_D.negation_exceptions)
    negation_factor: Weakening = _D.negation_factor
    negation_transparent: Words = list(_D.negation_transparent)
    negation_after: Words = []
    intensifiers: dict[Text, Strengthening] = {}
    downtoners: dict[Text, Weakening] = {}
    contrast: ContrastSpec = ContrastSpec()
    distancing: DistancingSpec = DistancingSpec()
    clause_breaks: Words = []
    refusal: RefusalSpec = RefusalSpec()
    condition: ConditionSpec = ConditionSpec()
    reported: ReportedSpec = ReportedSpec()
    performative: PerformativeSpec = PerformativeSpec()
    slots: dict[Text, Words] = {}

    def to_modifiers(self) -> Modifiers:
        return Modifiers(
            negation=tuple(self.negation),
            negation_exceptions=tuple(self.negation_exceptions),
            negation_factor=self.negation_factor,
            negation_transparent=tuple(self.negation_transparent),
            negation_after=tuple(self.negation_after),
            intensifiers=dict(self.intensifiers),
            downtoners=dict(self.downtoners),
            contrast=tuple(self.contrast.cues),
            contrast_before=self.contrast.before,
            contrast_after=self.contrast.after,
            distancing=tuple(self.distancing.cues),
            distancing_category=self.distancing.category,
            distancing_weight=self.distancing.weight,
            scare_quote_max_tokens=self.distancing.scare_quote_max_tokens,
            clause_breaks=tuple(self.clause_breaks),
            refusal_turns=tuple(self.refusal.turns),
            refusal_predicates=tuple(self.refusal.predicates),
            refusal_dismissals=tuple(self.refusal.dismissals),
            refusal_category=self.refusal.category,
            refusal_weight=self.refusal.weight,
            condition=tuple(self.condition.cues),
            condition_factor=self.condition.factor,
            reporting_verbs=tuple(self.reported.verbs),
            naming_verbs=tuple(self.reported.naming),
            reported_factor=self.reported.factor,
            own_voice=tuple(self.reported.own),
            performative_terms=tuple(self.performative.terms),
            performative_cues=tuple(self.performative.cues),
            slots={name: tuple(words) for name, words in self.slots.items()},
        )


class CategorySpec(BaseModel):
    """One declared category; other keys are notes for readers, kept out of the model."""

    model_config = ConfigDict(frozen=True)

    dimension: Literal[DIMENSIONS]  # type: ignore[valid-type]  (the tuple spreads into the Literal)
    definition: Text
    example: str = ""
    source: str = ""

    def to_category(self, name: str) -> Category:
        return Category(name, self.dimension, self.definition, self.example, self.source)


def _some_categories(categories: dict[str, CategorySpec]) -> dict[str, CategorySpec]:
    if not categories:
        raise ValueError("no categories declared")
    return categories


class MetadataSpec(BaseModel):
    """The metadata file; keys beyond these are kept as the lexicon's ``metadata``."""

    model_config = ConfigDict(extra="allow", frozen=True, coerce_numbers_to_str=True)

    name: Text
    version: Text
    language: str = "en"
    description: str = ""
    categories: Annotated[dict[str, CategorySpec], AfterValidator(_some_categories)]
    max_weight: MaxWeight = DEFAULT_MAX_WEIGHT
    modifiers: ModifiersSpec = ModifiersSpec()

    def to_categories(self) -> dict[str, Category]:
        return {name: spec.to_category(name) for name, spec in self.categories.items()}


def read_metadata(
    metadata: str | Mapping[str, Any], file: str
) -> tuple[dict[str, Any], MetadataSpec | None, list[LexiconProblem]]:
    """The metadata as read (empty when not a JSON object), validated (None when it has
    problems), and every problem, located."""
    data: Any = metadata
    if isinstance(metadata, str):
        try:
            data = json.loads(metadata)
        except json.JSONDecodeError as exc:
            return {}, None, [LexiconProblem(file, exc.lineno, None, f"invalid JSON: {exc.msg}")]
        except RecursionError:  # brackets nested about a thousand deep
            return {}, None, [LexiconProblem(file, None, None, "invalid JSON: nested too deeply to read")]
    if not isinstance(data, Mapping):
        return {}, None, [LexiconProblem(file, None, None, "metadata must be a JSON object")]
    data = dict(data)
    try:
        max_weight, _ = read_max_weight(data, file)  # reported by the schema too
        return data, MetadataSpec.model_validate(data, context={"max_weight": max_weight}), []
    except ValidationError as exc:
        return data, None, problems_of(exc, file)


def read_max_weight(metadata: Mapping[str, Any], file: str) -> tuple[float, list[LexiconProblem]]:
    """The metadata's ``max_weight`` and its problem. An invalid one gives ``inf``, so
    entries are then only checked for being positive rather than against a made-up bound."""
    try:
        return _MAX_WEIGHT.validate_python(metadata.get("max_weight", DEFAULT_MAX_WEIGHT)), []
    except ValidationError as exc:
        return math.inf, problems_of(exc, file, "max_weight")


def loose_categories(metadata: Any) -> dict[str, Category]:
    """The declared categories as written, for checking the entries of a lexicon whose
    metadata has problems (each entry is then still checked against its category)."""
    raw = metadata.get("categories") if isinstance(metadata, Mapping) else None
    if not isinstance(raw, Mapping):
        return {}
    return {
        str(name): Category(str(name), *(str(spec.get(k, "")) for k in ("dimension", "definition", "example", "source")))
        for name, spec in raw.items()
        if isinstance(spec, Mapping)
    }


def check_category(category: Category, file: str) -> list[LexiconProblem]:
    """Problems of a category built in memory, by the schema of the metadata file."""
    values = {k: getattr(category, k) for k in ("dimension", "definition", "example", "source")}
    try:
        CategorySpec.model_validate(values, strict=True)
    except ValidationError as exc:
        return problems_of(exc, file, f"categories.{category.name}")
    return []


def check_modifiers(mods: Modifiers, file: str, max_weight: float) -> list[LexiconProblem]:
    """Problems of modifiers built in memory, by the schema of the metadata file (strict:
    in memory, a factor given as a string would reach the formulas as a string)."""
    data = _nested(mods, lambda words: list(words) if isinstance(words, tuple) else words)
    try:
        ModifiersSpec.model_validate(data, strict=True, context={"max_weight": max_weight})
    except ValidationError as exc:
        return problems_of(exc, file, "modifiers")
    return []
