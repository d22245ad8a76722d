"""The behaviour-case format: one pydantic model per kind of case, and the :class:`Case`
built from a valid one.

A case is data (a JSON Lines line or a YAML list item); its expectations are fields,
never code. Three kinds, after CheckList (Ribeiro et al. 2020):

* ``mft`` (minimum functionality): a text or template, and expectations on metrics
  (``{"metric": "hostility", "op": ">=", "value": 0.5}``) or markers
  (``{"marker": {"category": "insult"}}``, ``{"no_marker": {...}}``, with ``count``);
* ``invariance``: the metrics stay within ``tolerance`` over a template's expansions
  (or a text and its ``transform``);
* ``directional``: a ``transform`` moves one metric ``up``, ``down`` or keeps it the ``same``.

>>> case, problems = read_case({"name": "insult", "text": "Abe is an idiot.",
...                             "expect": {"marker": {"category": "insult"}}})
>>> case.kind, case.expect, problems
('mft', ({'marker': {'category': 'insult'}},), [])
>>> read_case({"name": "x", "text": "y", "expect": {"metric": "hostility", "op": "=", "value": 1}})[1]
[('expect[0].op', "must be '>=', '>', '<=', '<', '==' or '!=', got '='")]
"""

from __future__ import annotations

import itertools
import operator
import string
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Annotated, Any, ClassVar, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    StrictStr,
    ValidationError,
    model_validator,
)

from ..shared import non_blank, rule_error, validation_problems

KINDS = ("mft", "invariance", "directional")
KIND_ALIASES = {
    "minimum functionality": "mft", "minimum_functionality": "mft", "mft": "mft",
    "invariance": "invariance", "inv": "invariance", "directional": "directional", "dir": "directional",
}
OPS = {">=": operator.ge, ">": operator.gt, "<=": operator.le, "<": operator.lt, "==": operator.eq, "!=": operator.ne}
#: Metrics of every result; any other metric names a category (its rate).
BASE_METRICS = ("hostility", "courtesy", "tone", "hostility_rate", "courtesy_rate", "n_markers", "n_tokens")
MARKER_FIELDS = ("dimension", "category", "term", "text", "modifier", "active")


@dataclass(frozen=True)
class Case:
    """One behaviour case, parsed from a case file (see :func:`~tonekit.regression.load_cases`)."""

    name: str
    kind: str
    text: str | None = None
    template: str | None = None
    values: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    expect: tuple[Mapping[str, Any], ...] = ()
    transform: Mapping[str, Any] = field(default_factory=dict)
    metrics: tuple[str, ...] = ("hostility", "courtesy")
    tolerance: float = 0.0
    source: str = ""
    xfail: str = ""
    file: str = ""
    line: int | None = None

    @property
    def where(self) -> str:
        return f"{self.file}:{self.line}" if self.file and self.line else self.file

    def texts(self) -> list[str]:
        """The text, or the template expanded over every combination of its values."""
        if self.template is None:
            return [self.text or ""]
        keys = list(self.values)
        return [
            self.template.format_map(dict(zip(keys, combo)))
            for combo in itertools.product(*(self.values[k] for k in keys))
        ]


def _metric_name(name: str) -> str:
    if not name:
        raise ValueError(f"a metric name is needed ({', '.join(BASE_METRICS)} or a category name)")
    return name



def _as_list(value: Any) -> Any:
    return [value] if isinstance(value, Mapping) else value


def _the_one(value: Any) -> Any:
    if isinstance(value, list):
        if len(value) != 1:
            raise ValueError("a directional case needs one expectation {metric, direction}")
        return value[0]
    return value


Metric = Annotated[StrictStr, AfterValidator(_metric_name)]
# Numbers are JSON numbers: a string or a boolean is a mistake in the file, not a value.
Number = Annotated[float, Field(strict=True, allow_inf_nan=False)]


class _Spec(BaseModel):
    # An unknown field is a misspelling whose intent would be lost without a word.
    model_config = ConfigDict(extra="forbid", frozen=True)


class MarkerSpec(_Spec):
    """Fields a marker must have; ``modifier`` names one applied modifier, ``active``
    whether the marker still weighs (a negated one does not)."""

    dimension: StrictStr | None = None
    category: StrictStr | None = None
    term: StrictStr | None = None
    text: StrictStr | None = None
    modifier: StrictStr | None = None
    active: StrictBool | None = None


class Expectation(_Spec):
    """A metric compared with a value, or a marker that must (not) be found."""

    metric: Metric | None = None
    op: Literal[tuple(OPS)] | None = None  # type: ignore[valid-type]
    value: Number | None = None
    marker: MarkerSpec | None = None
    no_marker: MarkerSpec | None = None
    count: Annotated[StrictInt, Field(ge=0)] | None = None

    @model_validator(mode="after")
    def _one_question(self) -> Expectation:
        given = self.model_fields_set
        if "metric" in given:
            problems = []
            if self.op is None:
                problems.append((("op",), f"op must be one of {', '.join(OPS)}"))
            if self.value is None:
                problems.append((("value",), "must be a number"))
            if given & {"marker", "no_marker", "count"}:
                problems.append(((), "a metric expectation has no 'marker', 'no_marker' or 'count'"))
            if problems:
                raise rule_error(*problems)
        elif ("marker" in given) == ("no_marker" in given):
            raise rule_error(((), "an expectation needs 'metric' (with op and value), 'marker' or 'no_marker'"))
        return self


class DirectionalExpectation(_Spec):
    metric: Metric
    direction: Literal["up", "down", "same"]
    min_delta: Number = 0.0


class Transform(_Spec):
    """How a directional (or text invariance) case changes its text."""

    text: StrictStr | None = None
    insert: StrictStr | None = None
    at: Literal["start", "end"] = "start"
    replace: dict[str, StrictStr] | None = None

    @model_validator(mode="after")
    def _one_change(self) -> Transform:
        if len({"text", "insert", "replace"} & self.model_fields_set) != 1:
            raise rule_error(((), "a transform needs one of 'text', 'insert' or 'replace'"))
        return self


class CaseSpec(_Spec):
    """The fields every kind of case shares, and the rules of text and template."""

    KIND: ClassVar[str] = ""

    name: Annotated[StrictStr, AfterValidator(non_blank)]
    kind: Any = "mft"  # checked against KIND_ALIASES before the model is chosen
    text: StrictStr | None = None
    template: StrictStr | None = None
    values: dict[str, Annotated[list[StrictStr], Field(min_length=1)]] = {}
    metrics: Annotated[list[Metric], Field(min_length=1)] = ["hostility", "courtesy"]
    tolerance: Annotated[Number, Field(ge=0)] = 0.0
    source: StrictStr = ""
    xfail: StrictStr = ""  # the reason a case is expected to fail
    tags: Any = None
    note: Any = None
    capability: Any = None

    @model_validator(mode="after")
    def _rules(self) -> CaseSpec:
        problems = []
        if (self.text is None) == (self.template is None):
            problems.append((("text",), "give exactly one of 'text' or 'template' (a string)"))
        if self.template is not None:
            if not self.values:
                problems.append((("values",), "a template needs 'values': {placeholder: [value, ...]}"))
            else:
                try:
                    fields = {f for _, f, _, _ in string.Formatter().parse(self.template) if f is not None}
                except ValueError as exc:
                    problems.append((("template",), f"not a template: {exc}"))
                else:
                    if fields - set(self.values):
                        missing = ", ".join(sorted(fields - set(self.values)))
                        problems.append((("template",), f"placeholder(s) without values: {missing}"))
        problems += self.kind_problems()
        if problems:
            raise rule_error(*problems)
        return self

    def kind_problems(self) -> list[tuple[tuple[str, ...], str]]:
        return []

    def expectations(self) -> list[BaseModel]:
        return []

    def to_case(self, file: str = "", line: int | None = None) -> Case:
        transform = getattr(self, "transform", None)  # directional and invariance cases
        return Case(
            name=self.name.strip(),
            kind=self.KIND,
            text=self.text,
            template=self.template,
            values={k: tuple(v) for k, v in self.values.items()} if self.template is not None else {},
            expect=tuple(e.model_dump(exclude_unset=True) for e in self.expectations()),
            transform=transform.model_dump(exclude_unset=True) if transform is not None else {},
            metrics=tuple(self.metrics),
            tolerance=self.tolerance,
            source=self.source,
            xfail=self.xfail,
            file=file,
            line=line,
        )


class MftSpec(CaseSpec):
    KIND: ClassVar[str] = "mft"

    expect: Annotated[list[Expectation], BeforeValidator(_as_list)] = []

    def expectations(self) -> list[BaseModel]:
        return list(self.expect)

    def kind_problems(self) -> list[tuple[tuple[str, ...], str]]:
        if not self.expect:
            return [(("expect",), "a minimum functionality case needs at least one expectation")]
        return []


class InvarianceSpec(CaseSpec):
    KIND: ClassVar[str] = "invariance"

    transform: Transform | None = None

    def kind_problems(self) -> list[tuple[tuple[str, ...], str]]:
        if self.text is not None and self.transform is None:
            return [(("template",), "an invariance case needs a template with values (or a text and a transform)")]
        return []


class DirectionalSpec(CaseSpec):
    KIND: ClassVar[str] = "directional"

    transform: Transform
    expect: Annotated[DirectionalExpectation, BeforeValidator(_the_one)]

    def expectations(self) -> list[BaseModel]:
        return [self.expect]


SPECS: dict[str, type[CaseSpec]] = {spec.KIND: spec for spec in (MftSpec, InvarianceSpec, DirectionalSpec)}


def read_case(data: Any, file: str = "", line: int | None = None) -> tuple[Case | None, list[tuple[str | None, str]]]:
    """The case of one record, or None and its problems as ``(field, message)``."""
    if not isinstance(data, Mapping):
        return None, [(None, "a case must be an object")]
    kind = KIND_ALIASES.get(str(data.get("kind", "mft")).lower())
    if kind is None:
        return None, [("kind", f"kind must be one of {KINDS}, got {data.get('kind')!r}")]
    try:
        spec = SPECS[kind].model_validate(dict(data))
    except ValidationError as exc:
        return None, [(path or None, message) for path, message in validation_problems(exc)]
    return spec.to_case(file, line), []
