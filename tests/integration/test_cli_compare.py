"""``tonekit compare`` on a scored table."""

from __future__ import annotations

import json
import os

os.environ.setdefault("MPLBACKEND", "Agg")

import numpy as np
import pandas as pd
import pytest

from tonekit.cli import main


@pytest.fixture()
def scored(tmp_path):
    rng = np.random.default_rng(0)
    n = 12
    df = pd.DataFrame({
        "id": [f"s{i}" for i in range(3 * n)],
        "date": ["2018-05-01"] * n + ["2021-01-10"] * 4 + ["2023-06-01"] * (2 * n - 4),
        "text": ["(constructed)"] * (3 * n),
        "hostility": np.r_[rng.uniform(0.4, 0.9, n), rng.uniform(0.2, 0.6, 4), rng.uniform(0.0, 0.3, 2 * n - 4)],
        "courtesy": rng.uniform(0, 0.3, 3 * n),
    })
    df["tone"] = df.courtesy - df.hostility
    path = tmp_path / "scores.csv"
    df.to_csv(path, index=False)
    return path


def test_table_output_with_eras_from_dates(scored, capsys):
    assert main(["compare", str(scored), "--groups", "Abe", "Kishida", "--n-boot", "500"]) == 0
    out = capsys.readouterr().out
    assert "Comparison by 'era': Abe, Kishida" in out
    assert "Abe - Kishida" in out and "Cliff's delta" in out


def test_csv_and_json_outputs_and_small_group_flag(scored, tmp_path, capsys):
    assert main(["compare", str(scored), "--metric", "hostility", "--format", "csv", "--n-boot", "500"]) == 0
    pairs = pd.read_csv(pd.io.common.StringIO(capsys.readouterr().out))
    assert len(pairs) == 3 and set(pairs["metric"]) == {"hostility"}
    assert pairs.loc[(pairs.group_a == "Abe") & (pairs.group_b == "Suga"), "small"].item()
    jl = tmp_path / "scores.jsonl"
    pd.read_csv(scored).to_json(jl, orient="records", lines=True)
    assert main(["compare", str(jl), "--metric", "hostility", "--format", "json", "--n-boot", "500", "--seed", "3"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["seed"] == 3 and data["groups_order"] == ["Abe", "Suga", "Kishida"]
    assert {g["group"]: g["small"] for g in data["groups"]}["Suga"] is True


def test_plot_is_written(scored, tmp_path, capsys):
    out = tmp_path / "cmp.png"
    assert main(["compare", str(scored), "--plot", str(out), "--n-boot", "300"]) == 0
    assert out.stat().st_size > 1000
    assert out.read_bytes()[:4] == b"\x89PNG"


def test_usage_errors_exit_2(scored, tmp_path, capsys):
    assert main(["compare", str(tmp_path / "missing.csv")]) == 2
    assert "no such file" in capsys.readouterr().err
    assert main(["compare", str(scored), "--metric", "politeness"]) == 2
    assert "'politeness'" in capsys.readouterr().err
    assert main(["compare", str(scored), "--groups", "Abe", "Nobody"]) == 2
    assert "Nobody" in capsys.readouterr().err


def test_compares_the_output_of_tonekit_score(tmp_path, capsys):
    from tonekit import corpora

    out = tmp_path / "scored.parquet"
    assert main(["score", str(corpora.path("dprk_japan")), "-o", str(out)]) == 0
    capsys.readouterr()
    assert main(["compare", str(out), "--groups", "Abe", "Kishida", "--metric", "hostility",
                 "--format", "json", "--n-boot", "500"]) == 0
    data = json.loads(capsys.readouterr().out)
    sizes = {g["group"]: g["n"] for g in data["groups"]}
    eras = corpora.load("dprk_japan")["era"].value_counts()
    assert sizes == {"Abe": eras["Abe"], "Kishida": eras["Kishida"]}
