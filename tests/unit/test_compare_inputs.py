"""``compare`` on tables it cannot compare honestly: no rows, infinite scores, rows with an
error, and columns with too many groups to compare pairwise."""

from __future__ import annotations

import time

import numpy as np
import pandas as pd
import pytest

from tonekit.compare import MAX_PAIRS, compare


def scores_table() -> pd.DataFrame:
    rng = np.random.default_rng(7)
    return pd.DataFrame({
        "id": [f"kcna-{i:03d}" for i in range(16)],
        "era": ["Abe"] * 8 + ["Kishida"] * 8,
        "hostility": np.r_[rng.uniform(0.5, 0.95, 8), rng.uniform(0.1, 0.5, 8)],
        "courtesy": rng.uniform(0, 0.2, 16),
    })


def test_an_empty_table_says_it_has_no_rows():
    with pytest.raises(ValueError, match="no rows"):
        compare(scores_table().iloc[:0], metrics=["hostility"])
    empty = pd.DataFrame({"era": pd.Series([], dtype=object), "hostility": pd.Series([], dtype=object)})
    with pytest.raises(ValueError, match="no rows"):
        compare(empty, metrics=["hostility"])


def test_infinite_scores_are_refused_with_their_rows():
    table = scores_table()
    table.loc[3, "hostility"] = np.inf
    with pytest.raises(ValueError, match=r"'hostility' has 1 infinite value\(s\), at index 3"):
        compare(table, metrics=["hostility"], n_boot=200)


def test_rows_with_an_error_are_left_out_and_counted():
    table = scores_table()
    table["error"] = None
    # An empty text scored as zero would pull the Kishida mean down.
    table.loc[len(table)] = ["kcna-099", "Kishida", 0.0, 0.0, "empty text"]
    result = compare(table, metrics=["hostility"], n_boot=200)
    clean = compare(scores_table(), metrics=["hostility"], n_boot=200)
    assert result.n_errors == 1 and clean.n_errors == 0
    pd.testing.assert_frame_equal(result.groups, clean.groups)
    assert "1 row with an error (such as an empty text) left out" in repr(result)
    assert "left out" in result._repr_html_()


def test_a_table_of_errors_only_has_nothing_to_compare():
    table = scores_table().assign(error="empty text")
    with pytest.raises(ValueError, match="all 16 rows have an error"):
        compare(table, metrics=["hostility"], n_boot=200)


def test_too_many_groups_are_refused_at_once_unless_named():
    n = 200_000
    table = pd.DataFrame({"id": [f"s{i}" for i in range(n)], "hostility": np.linspace(0, 1, n)})
    start = time.perf_counter()
    with pytest.raises(ValueError, match=r"200000 groups.*name the groups to compare"):
        compare(table, by="id", metrics=["hostility"])
    assert time.perf_counter() - start < 10
    named = compare(table, by="id", groups=["s1", "s2"], metrics=["hostility"], n_boot=100)
    assert named.group_order == ("s1", "s2")
    assert MAX_PAIRS >= 45  # ten groups are always fine
