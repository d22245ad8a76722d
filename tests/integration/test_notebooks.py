"""The Abe-vs-Kishida notebook runs top to bottom and prints numbers it computed; it is
committed executed, with the conclusion it computes today."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")

from tonekit import corpora
from tonekit.batch import score_corpus
from tonekit.compare import compare

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"
NOTEBOOK = NOTEBOOKS / "abe_vs_kishida.ipynb"
REEXECUTE = "jupyter execute --inplace notebooks/abe_vs_kishida.ipynb"


def _stream(cell, name: str = "stdout") -> str:
    return "".join(o.get("text", "") for o in cell.get("outputs", [])
                   if o.get("output_type") == "stream" and o.get("name") == name)


def _conclusion(nb) -> str:
    return next(_stream(c) for c in nb.cells if c.cell_type == "code" and _stream(c).startswith("CONCLUSION"))


def _images(nb) -> int:
    code = [c for c in nb.cells if c.cell_type == "code"]
    return sum("image/png" in o.get("data", {}) for c in code for o in c.get("outputs", []))


@pytest.fixture(scope="module")
def executed():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    os.environ.setdefault("MPLBACKEND", "Agg")
    client = nbclient.NotebookClient(nb, kernel_name="python3", timeout=900,
                                     resources={"metadata": {"path": str(NOTEBOOKS)}})
    client.execute()  # raises CellExecutionError naming the failing cell
    return nb


def test_notebook_runs_top_to_bottom(executed):
    code = [c for c in executed.cells if c.cell_type == "code"]
    assert all(c.get("execution_count") for c in code)
    errors = [o for c in code for o in c.get("outputs", []) if o.get("output_type") == "error"]
    assert not errors
    html = "".join(o.get("data", {}).get("text/html", "") for c in code for o in c.get("outputs", []))
    assert html.count('class="tonekit-render"') == 2  # one Abe-era, one Kishida-era statement rendered
    assert _images(executed) >= 4  # timeline, comparison, category rates, keyness
    assert not [_stream(c, "stderr") for c in code if _stream(c, "stderr")]  # no warnings shown in red


def test_notebook_is_committed_executed_with_the_conclusion_it_computes(executed):
    committed = nbformat.read(NOTEBOOK, as_version=4)  # the fixture executed a copy in memory
    code = [c for c in committed.cells if c.cell_type == "code"]
    assert all(c.get("execution_count") for c in code), f"commit the notebook executed: {REEXECUTE}"
    assert _images(committed) >= 4, f"commit the notebook with its figures: {REEXECUTE}"
    assert REEXECUTE in committed.cells[0].source  # the notebook says how to run it again
    assert _conclusion(committed) == _conclusion(executed), f"the committed outputs are stale: {REEXECUTE}"


def test_conclusion_prints_the_numbers_computed_from_the_corpus(executed):
    conclusion = _conclusion(executed)
    scores = score_corpus(corpora.load("dprk_japan"), progress=False)
    cmp = compare(scores, by="era", groups=["Abe", "Suga", "Kishida"], n_boot=10_000, seed=0)
    groups = cmp.groups.set_index(["metric", "group"])
    for metric in ("hostility", "courtesy"):
        for era in ("Abe", "Suga", "Kishida"):
            g = groups.loc[(metric, era)]
            expected = f"{era} {g['mean']:.3f} [95% CI {g['ci_low']:.3f}, {g['ci_high']:.3f}], n={g['n']}"
            assert expected in conclusion, (metric, expected)
        r = cmp.summary(metric, "Abe", "Kishida")
        assert f"Abe - Kishida {metric}: {r['mean_diff']:+.3f} [{r['ci_low']:+.3f}, {r['ci_high']:+.3f}]" in conclusion
        assert f"permutation p={r['p_value']:.4f}, Holm p={r['p_holm']:.4f}" in conclusion
        assert f"Cliff's delta {r['cliffs_delta']:+.2f} ({r['effect']})" in conclusion
    assert re.search(r"Verdict: statements of the Kishida era are (not reliably )?less hostile", conclusion)
