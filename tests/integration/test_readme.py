"""README promises: the two commands at the top, the CI script, the worked example."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import tonekit

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def bash_blocks(text: str) -> list[str]:
    return [b.strip() for b in re.findall(r"```bash\n(.*?)```", text, flags=re.S)]


def test_readme_starts_with_the_main_job_and_the_test_command():
    first, second = bash_blocks(README)[:2]
    main_job = [line for line in first.splitlines() if not line.startswith("#")]
    tests = [line for line in second.splitlines() if not line.startswith("#")]
    assert len(main_job) == 1 and "tonekit score corpora/dprk_japan" in main_job[0]
    assert len(tests) == 1 and "pytest" in tests[0]


def test_ci_runs_exactly_the_readme_test_command():
    test_command = [line for line in bash_blocks(README)[1].splitlines() if not line.startswith("#")][0]
    ci_lines = (ROOT / ".ci" / "run").read_text().splitlines()
    assert test_command in ci_lines


def test_worked_example_numbers_are_what_the_library_computes():
    r = tonekit.score("Abe is none other than a perfect imbecile and a political dwarf.")
    assert r.n_tokens == 13
    assert round(r.hostility, 3) == 0.976 and r.courtesy == 0
    assert round(r.hostility_rate, 1) == 51.9
    assert round(r.categories["insult"], 1) == 28.8 and round(r.categories["epithet"], 1) == 23.1
    assert "0.976" in README and "51.9" in README


@pytest.mark.parametrize("term", ["political dwarf", "sea of fire", "mutual respect", "could you"])
def test_lexicon_excerpt_in_readme_matches_the_bundled_lexicon(term):
    entry = next(e for e in tonekit.Lexicon.default() if e.term == term)
    line = next(line for line in README.splitlines() if line.startswith(term + ","))
    assert line.split(",")[1:5] == [entry.dimension, entry.category, f"{entry.weight:g}", entry.match]
