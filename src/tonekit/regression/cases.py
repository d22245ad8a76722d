"""Behaviour cases: expected behaviour written as data, run against a lexicon.

CheckList-style minimum functionality, invariance and directional cases (Ribeiro et
al. 2020), read from JSON Lines or YAML (the format: :mod:`.case_schema`) and run one by
one, each with what it expected and what was measured.

>>> report = run_cases([{"name": "imbecile", "kind": "mft",
...     "text": "Abe is a perfect imbecile. (constructed)",
...     "expect": [{"marker": {"category": "insult", "modifier": "intensifier"}},
...                {"metric": "hostility", "op": ">=", "value": 0.5}]}])
>>> report.passed, report.counts()["passed"]
(True, 1)
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from ..lexicon import Lexicon, bundled_names, resolve
from ..pipeline import score
from ..scoring import Marker, ToneResult
from .case_schema import BASE_METRICS, OPS, Case, read_case
from .documents import EPS, LexiconLike


class CaseFileError(ValueError):
    """A malformed case file: every problem with file, line and field."""

    def __init__(self, problems: Iterable[str]):
        self.problems = tuple(problems)
        super().__init__(f"{len(self.problems)} problem(s) in case file:\n" + "\n".join(f"  {p}" for p in self.problems))


@dataclass(frozen=True)
class CaseResult:
    """The outcome of one case: what was expected, what was measured, and whether it held."""

    name: str
    kind: str
    expectation: str
    measured: str
    passed: bool
    xfail: str = ""
    where: str = ""

    @property
    def status(self) -> str:
        if self.xfail:
            return "xpassed" if self.passed else "xfailed"
        return "passed" if self.passed else "failed"

    @property
    def ok(self) -> bool:
        """Passed, or failed as expected (an unexpected pass of an ``xfail`` case is not ok)."""
        return self.status in ("passed", "xfailed")

    def describe(self) -> str:
        reason = f" (xfail: {self.xfail})" if self.xfail else ""
        return f"{self.name} [{self.kind}] {self.status.upper()}{reason}: expected {self.expectation}; measured {self.measured}"


@dataclass(frozen=True)
class CasesReport:
    """One :class:`CaseResult` per case, in file order."""

    results: tuple[CaseResult, ...]
    lexicon: str = ""
    source: str = ""

    @property
    def failures(self) -> tuple[CaseResult, ...]:
        """Cases that are not ok: failed, or unexpectedly passed an ``xfail``."""
        return tuple(r for r in self.results if not r.ok)

    @property
    def passed(self) -> bool:
        return not self.failures

    def __bool__(self) -> bool:
        return self.passed

    def counts(self) -> dict[str, int]:
        counts = dict.fromkeys(("passed", "failed", "xfailed", "xpassed"), 0)
        for r in self.results:
            counts[r.status] += 1
        return counts

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame(
            [{**asdict(r), "status": r.status} for r in self.results],
            columns=["name", "kind", "expectation", "measured", "passed", "xfail", "where", "status"],
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "lexicon": self.lexicon,
            "source": self.source,
            "passed": self.passed,
            "counts": self.counts(),
            "results": [{**asdict(r), "status": r.status} for r in self.results],
        }

    def __str__(self) -> str:
        c = self.counts()
        head = (
            f"{len(self.results)} cases [{self.lexicon}]: {c['passed']} passed, {c['failed']} failed, "
            f"{c['xfailed']} xfailed, {c['xpassed']} xpassed"
        )
        lines = [head]
        lines += [f"  {r.where + ': ' if r.where else ''}{r.describe()}" for r in self.failures]
        return "\n".join(lines)


def load_cases(path: str | Path) -> list[Case]:
    """Read a case file: JSON Lines (one case per line) or YAML (a list, or ``cases:`` list).

    Cases are data, parsed with ``json`` or ``yaml.safe_load``; expectations are fields,
    never code. Raises :class:`CaseFileError` listing every problem with its line.
    """
    path = Path(path)
    try:
        content = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise CaseFileError([f"{path}: cannot read: {exc}"]) from exc
    problems: list[str] = []
    records: list[tuple[int | None, Any]] = []
    if path.suffix.lower() in (".yaml", ".yml"):
        records = _yaml_records(content, path.name, problems)
    else:
        for number, line in enumerate(content.splitlines(), start=1):
            if not line.strip() or line.lstrip().startswith("//"):
                continue
            try:
                records.append((number, json.loads(line)))
            except json.JSONDecodeError as exc:
                problems.append(f"{path.name}, line {number}: invalid JSON: {exc.msg} (column {exc.colno})")
    cases = parse_cases(records, path.name, problems)
    if problems:
        raise CaseFileError(problems)
    return cases


def _yaml_records(content: str, file: str, problems: list[str]) -> list[tuple[int | None, Any]]:
    try:
        import yaml
    except ImportError:  # JSONL needs nothing beyond the standard library
        problems.append(f"{file}: reading YAML case files needs PyYAML (pip install pyyaml)")
        return []
    try:
        node = yaml.compose(content, Loader=yaml.SafeLoader)
        data = yaml.safe_load(content)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f", line {mark.line + 1}" if mark is not None else ""
        problems.append(f"{file}{where}: invalid YAML: {getattr(exc, 'problem', exc)}")
        return []
    if isinstance(data, dict) and "cases" in data:
        data = data["cases"]
        node = next((v for k, v in node.value if k.value == "cases"), None)
    if not isinstance(data, list):
        problems.append(f"{file}: expected a list of cases (or a mapping with a 'cases' list)")
        return []
    return [(item.start_mark.line + 1, value) for item, value in zip(node.value, data)]


def parse_cases(
    records: Iterable[tuple[int | None, Any]] | Iterable[Mapping[str, Any]],
    file: str = "",
    problems: list[str] | None = None,
) -> list[Case]:
    """Cases from dicts (or ``(line, dict)`` pairs); raises :class:`CaseFileError` when
    ``problems`` is not given and something is wrong.

    >>> [c.name for c in parse_cases([{"name": "thanks", "text": "We thank you.",
    ...     "expect": {"marker": {"category": "gratitude"}}}])]
    ['thanks']
    """
    own = problems is None
    problems = [] if problems is None else problems
    cases: list[Case] = []
    names: dict[str, int | None] = {}
    for i, record in enumerate(records):
        line, data = record if isinstance(record, tuple) else (None, record)
        where = f"{file or 'cases'}, " + (f"line {line}" if line is not None else f"case {i + 1}")
        if isinstance(data, Case):
            case = data
        else:
            case, found = read_case(data, file, line)
            problems += [where + (f", field {path!r}" if path else "") + f": {message}" for path, message in found]
        if case is None:
            continue
        if case.name in names:
            problems.append(f"{where}, field 'name': duplicate case name {case.name!r}")
            continue
        names[case.name] = line
        cases.append(case)
    if own and problems:
        raise CaseFileError(problems)
    return cases


def _metrics_of(case: Case) -> list[str]:
    if case.kind == "invariance":
        return list(case.metrics)
    return [e["metric"] for e in case.expect if "metric" in e]


def _metric(result: ToneResult, metric: str) -> float:
    """A score, a count or a category rate (names are checked by :func:`run_cases`)."""
    if metric in BASE_METRICS:
        return float(getattr(result, metric))
    return float(result.categories.get(metric, 0.0))


def _marker_matches(m: Marker, spec: Mapping[str, Any]) -> bool:
    for key, want in spec.items():
        if key == "modifier":
            if want not in m.modifier_kinds:
                return False
        elif key == "active":
            if (m.effective_weight > 0) != bool(want):
                return False
        elif key in ("term", "text"):
            if str(getattr(m, key)).lower() != str(want).lower():
                return False
        elif getattr(m, key) != want:
            return False
    return True


def _marker_list(result: ToneResult) -> str:
    if not result.markers:
        return "no markers"
    items = []
    for m in result.markers:
        mods = "".join(f"+{k}" for k in m.modifier_kinds)
        items.append(f"{m.category}:{m.term!r}{mods} {m.effective_weight:g}")
    return "markers " + ", ".join(items)


def _spec_text(spec: Mapping[str, Any]) -> str:
    return " ".join(f"{k}={v!r}" for k, v in spec.items()) or "any"


def _check_mft(expectations: Sequence[Mapping[str, Any]], result: ToneResult) -> tuple[str, str, bool]:
    wants, gots, ok = [], [], True
    for e in expectations:
        if "metric" in e:
            value = _metric(result, e["metric"])
            held = OPS[e["op"]](value, e["value"])
            wants.append(f"{e['metric']} {e['op']} {e['value']:g}")
            gots.append(f"{e['metric']} {value:.3f}")
        else:
            negative = "no_marker" in e
            spec = e["no_marker" if negative else "marker"]
            found = [m for m in result.markers if _marker_matches(m, spec)]
            if negative:
                held = not found
                wants.append(f"no marker with {_spec_text(spec)}")
            elif "count" in e:
                held = len(found) == e["count"]
                wants.append(f"{e['count']} marker(s) with {_spec_text(spec)}")
            else:
                held = bool(found)
                wants.append(f"a marker with {_spec_text(spec)}")
            gots.append(f"{len(found)} matching")
        ok = ok and held
    return "; ".join(wants), "; ".join(gots) + f" ({_marker_list(result)})", ok


def _transform(text: str, transform: Mapping[str, Any]) -> str:
    if "text" in transform:
        return str(transform["text"])
    if "insert" in transform:
        return transform["insert"] + text if transform.get("at", "start") == "start" else text + transform["insert"]
    out = text
    for old, new in transform["replace"].items():
        out = out.replace(old, new)
    return out


def _check_metrics(cases: Iterable[Case], lex: Lexicon) -> None:
    unknown = [
        f"{c.where or c.name}: unknown metric {m!r} (use {', '.join(BASE_METRICS)} or a category of {lex.label})"
        for c in cases
        for m in _metrics_of(c)
        if m not in BASE_METRICS and m not in lex.categories
    ]
    if unknown:
        raise CaseFileError(unknown)


def run_case(case: Case, lexicon: LexiconLike = None) -> list[CaseResult]:
    """Results of one case: one, or one per expansion of a minimum functionality or
    directional template (an invariance case compares its expansions: one result)."""
    lex = resolve(lexicon)
    _check_metrics([case], lex)
    texts = case.texts()
    expanded = case.template is not None and case.kind != "invariance"
    results = []
    if case.kind == "invariance":
        if case.template is None:
            texts = [texts[0], _transform(texts[0], case.transform)]
        scored = [score(t, lexicon=lex) for t in texts]
        spreads = {m: [_metric(r, m) for r in scored] for m in case.metrics}
        worst = {m: max(v) - min(v) for m, v in spreads.items()}
        passed = all(w <= case.tolerance + EPS for w in worst.values())
        measured = ", ".join(f"{m} spread {w:.4f}" for m, w in worst.items())
        if not passed:
            m = max(worst, key=worst.get)
            hi, lo = max(range(len(texts)), key=lambda i: spreads[m][i]), min(range(len(texts)), key=lambda i: spreads[m][i])
            measured += f" ({m} {spreads[m][hi]:.3f} for {texts[hi]!r} vs {spreads[m][lo]:.3f} for {texts[lo]!r})"
        expectation = f"{', '.join(case.metrics)} unchanged within {case.tolerance:g} over {len(texts)} variants"
        return [CaseResult(case.name, case.kind, expectation, measured, passed, case.xfail, case.where)]
    for i, t in enumerate(texts):
        name = case.name if not expanded else f"{case.name}[{i}]"
        if case.kind == "mft":
            expectation, measured, passed = _check_mft(case.expect, score(t, lexicon=lex))
        else:
            e = case.expect[0]
            before, after = score(t, lexicon=lex), score(_transform(t, case.transform), lexicon=lex)
            b, a = _metric(before, e["metric"]), _metric(after, e["metric"])
            min_delta = float(e.get("min_delta", 0.0))
            if e["direction"] == "up":
                passed = a - b > min_delta
            elif e["direction"] == "down":
                passed = b - a > min_delta
            else:
                passed = abs(a - b) <= max(min_delta, case.tolerance) + EPS
            expectation = f"{e['metric']} goes {e['direction']}" + (f" by more than {min_delta:g}" if min_delta else "")
            measured = f"{e['metric']} {b:.3f} -> {a:.3f} ({a - b:+.3f})"
        results.append(CaseResult(name, case.kind, expectation, measured, passed, case.xfail, case.where))
    return results


def lexicon_named_by(path: str | Path) -> str | None:
    """The bundled lexicon a case file is named after (``diplomatic-ko.jsonl``,
    ``diplomatic-ja.cases.yaml``), or None: its cases run against that lexicon
    unless another is given.

    >>> lexicon_named_by("tests/cases/diplomatic-ko.jsonl"), lexicon_named_by("my.cases.jsonl")
    ('diplomatic-ko', None)
    """
    name = Path(path).name.split(".")[0]
    return name if name in bundled_names() else None


def run_cases(path_or_cases: str | Path | Iterable[Case | Mapping[str, Any]], lexicon: LexiconLike = None) -> CasesReport:
    """Run behaviour cases (a JSONL/YAML file, or cases/dicts) against a lexicon.

    >>> report = run_cases([{"name": "imbecile", "kind": "mft",
    ...     "text": "Abe is a perfect imbecile. (constructed)",
    ...     "expect": [{"marker": {"category": "insult", "modifier": "intensifier"}},
    ...                {"metric": "hostility", "op": ">=", "value": 0.5}]}])
    >>> report.passed, report.results[0].name
    (True, 'imbecile')
    """
    if lexicon is None and isinstance(path_or_cases, (str, Path)):
        lexicon = lexicon_named_by(path_or_cases)
    lex = resolve(lexicon)
    if isinstance(path_or_cases, (str, Path)):
        cases, source = load_cases(path_or_cases), str(path_or_cases)
    else:
        cases, source = parse_cases(list(path_or_cases)), ""
    _check_metrics(cases, lex)
    results: list[CaseResult] = []
    for case in cases:
        results.extend(run_case(case, lex))
    return CasesReport(tuple(results), lex.label, source)
