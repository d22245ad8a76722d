"""benchmarks/statements.py: the coded statements corpus, the cluster bootstrap and the tables."""

from __future__ import annotations

import doctest
import importlib.util
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("statements_benchmark", ROOT / "benchmarks" / "statements.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def corpus(bench) -> pd.DataFrame:
    return bench.load()


def test_load_joins_split_codes_and_passes(corpus):
    assert len(corpus) == 413
    assert corpus["split"].value_counts().to_dict() == {"dev": 294, "test": 119}
    for prefix in ("code", "a", "b"):
        for axis in ("hostility", "courtesy"):
            assert corpus[f"{prefix}_{axis}"].between(0, 3).all()
    # statements are never split across dev and test
    assert (corpus.groupby("statement_id")["split"].nunique() == 1).all()


def test_doctests(bench):
    assert doctest.testmod(bench).failed == 0


def test_cluster_spearman_point_estimate_and_determinism(bench):
    rng = np.random.default_rng(1)
    y = rng.integers(0, 4, 40).astype(float)
    x = np.vstack([y + rng.normal(0, 1, 40), y])
    groups = [f"s{i // 3}" for i in range(40)]
    r, low, high = bench.cluster_spearman(x, np.tile(y, (2, 1)), groups, n_resamples=300)
    assert r[0] == pytest.approx(stats.spearmanr(x[0], y).statistic)
    assert low[0] <= r[0] <= high[0]
    assert (r[1], low[1], high[1]) == (1.0, 1.0, 1.0)
    again = bench.cluster_spearman(x, np.tile(y, (2, 1)), groups, n_resamples=300)
    assert all(np.array_equal(a, b) for a, b in zip((r, low, high), again))


def test_agreement_and_register_tables_on_a_few_statements(bench, corpus):
    dev = bench.select(corpus, "dev")
    rows = dev[dev["statement_id"].isin(dev["statement_id"].unique()[:12])].reset_index(drop=True)
    scored = bench.tonekit_scores(rows)
    table = bench.agreement_rows(corpus, rows, scored, "dev")
    assert set(table["axis"]) == {"hostility", "courtesy"}
    assert ((table["low"] <= table["rho"] + 1e-12) & (table["rho"] <= table["high"] + 1e-12)).all()
    registers = bench.register_table(rows, scored)
    assert registers["n"].iloc[-1] == len(rows) and registers["register"].iloc[-1] == "all"
    small = registers[registers["n"] < bench.MIN_REGISTER]
    assert small[["hostility_rho", "courtesy_rho"]].isna().all().all()


@pytest.mark.parametrize("split", ["test", "all"])
def test_errors_refused_outside_dev(bench, split, capsys):
    assert bench.main(["--split", split, "--errors", "3"]) == 2
    assert "not allowed" in capsys.readouterr().err
