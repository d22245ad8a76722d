"""compare(): bootstrap CIs, permutation tests, Cliff's delta, Holm, small-group flags."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pandas as pd
import pytest

from tonekit.compare import Comparison, cliffs_delta, compare, effect_label, holm

N_BOOT = 2000


def shifted(seed: int, shift: float, n: int = 40) -> pd.DataFrame:
    """Two groups of scores (constructed), group 'late' shifted by ``shift``."""
    rng = np.random.default_rng(seed)
    return pd.DataFrame({
        "era": ["early"] * n + ["late"] * n,
        "hostility": np.r_[rng.normal(0.5, 0.1, n), rng.normal(0.5 - shift, 0.1, n)],
    })


def test_known_shift_is_covered_by_ci_and_significant():
    df = shifted(seed=1, shift=0.2)
    row = compare(df, by="era", metrics=["hostility"], n_boot=N_BOOT).summary("hostility", "early", "late")
    assert row["ci_low"] < 0.2 < row["ci_high"]
    assert row["ci_low"] > 0.1  # the interval is informative, not just wide
    assert row["p_value"] < 0.01
    assert row["effect"] == "large" and row["cliffs_delta"] > 0.474


def test_no_shift_is_not_significant_in_most_seeds():
    ps = [compare(shifted(seed=s, shift=0.0, n=25), metrics=["hostility"], n_boot=500, seed=s)
          .pairs["p_value"].iloc[0] for s in range(20)]
    assert sum(p < 0.05 for p in ps) <= 3
    assert np.median(ps) > 0.2


def test_fixed_seed_gives_identical_results_and_other_seed_differs():
    df = shifted(seed=2, shift=0.05)
    a = compare(df, metrics=["hostility"], n_boot=N_BOOT, seed=7)
    b = compare(df, metrics=["hostility"], n_boot=N_BOOT, seed=7)
    c = compare(df, metrics=["hostility"], n_boot=N_BOOT, seed=8)
    pd.testing.assert_frame_equal(a.pairs, b.pairs)
    pd.testing.assert_frame_equal(a.groups, b.groups)
    assert a.pairs["ci_low"].iloc[0] != c.pairs["ci_low"].iloc[0]


def test_pair_results_do_not_depend_on_other_groups():
    df = pd.concat([shifted(3, 0.1), pd.DataFrame({"era": ["middle"] * 10, "hostility": np.linspace(0.3, 0.6, 10)})])
    two = compare(df, groups=["early", "late"], metrics=["hostility"], n_boot=N_BOOT).summary("hostility", "early", "late")
    three = compare(df, groups=["early", "middle", "late"], metrics=["hostility"], n_boot=N_BOOT)
    row = three.summary("hostility", "early", "late")
    assert (two["ci_low"], two["p_value"]) == (row["ci_low"], row["p_value"])
    assert three.pairs["p_holm"].ge(three.pairs["p_value"]).all()
    assert len(three.pairs) == 3


def test_listing_the_groups_the_other_way_round_flips_the_interval_exactly():
    df = shifted(4, 0.05)
    forward = compare(df, groups=["early", "late"], metrics=["hostility"], n_boot=N_BOOT).pairs.iloc[0]
    backward = compare(df, groups=["late", "early"], metrics=["hostility"], n_boot=N_BOOT).pairs.iloc[0]
    assert (backward["group_a"], backward["group_b"]) == ("late", "early")
    assert (backward["mean_diff"], backward["ci_low"], backward["ci_high"]) == (
        -forward["mean_diff"], -forward["ci_high"], -forward["ci_low"])
    assert (backward["p_value"], backward["p_holm"]) == (forward["p_value"], forward["p_holm"])
    assert backward["cliffs_delta"] == -forward["cliffs_delta"]


def test_groups_select_and_order_and_unknown_group_is_named():
    df = shifted(4, 0.1)
    cmp = compare(df, groups=["late", "early"], metrics=["hostility"], n_boot=N_BOOT)
    assert cmp.group_order == ("late", "early")
    assert cmp.pairs[["group_a", "group_b"]].iloc[0].tolist() == ["late", "early"]
    assert cmp.pairs["mean_diff"].iloc[0] < 0
    with pytest.raises(ValueError, match="'Abe'"):
        compare(df, groups=["Abe", "early"], n_boot=N_BOOT, metrics=["hostility"])


def test_small_groups_are_flagged_not_hidden_and_nan_reported():
    df = pd.DataFrame({
        "era": pd.Categorical(["Abe"] * 8 + ["Suga"] * 4 + ["Kishida"] * 8, categories=["Abe", "Suga", "Kishida"]),
        "hostility": [0.6, 0.7, 0.8, 0.5, 0.6, 0.7, 0.9, 0.4, 0.3, np.nan, 0.5, 0.4] + [0.2] * 7 + [0.1],
        "courtesy": np.linspace(0, 1, 20),
    })
    cmp = df.pipe(compare, by="era", metrics=["hostility", "courtesy"], n_boot=N_BOOT)
    groups = cmp.groups.set_index(["metric", "group"])
    assert groups.loc[("hostility", "Suga"), "n"] == 3
    assert groups.loc[("hostility", "Suga"), "n_missing"] == 1
    assert bool(groups.loc[("hostility", "Suga"), "small"])
    assert cmp.group_order == ("Abe", "Suga", "Kishida")  # category order
    assert cmp.small_groups == ("Suga",)
    text = repr(cmp)
    assert "Suga" in text and "(!)" in text and "n < 5" in text
    assert "Holm" in text  # three groups: adjusted p-values are shown
    pairs = cmp.pairs[cmp.pairs["metric"] == "hostility"]
    assert pairs.loc[(pairs.group_a == "Abe") & (pairs.group_b == "Suga"), "small"].item()


def test_html_repr_escapes_group_names():
    df = pd.DataFrame({"era": ["<b>x</b>"] * 6 + ["y"] * 6, "tone": np.linspace(-1, 1, 12)})
    out = compare(df, metrics=["tone"], n_boot=N_BOOT)._repr_html_()
    assert "<b>x</b>" not in out and "&lt;b&gt;x&lt;/b&gt;" in out
    assert "<table>" in out


def test_to_frame_and_plot():
    cmp = compare(shifted(5, 0.1).assign(courtesy=0.3), metrics=["hostility", "courtesy"], n_boot=N_BOOT)
    frame = cmp.to_frame()
    assert {"mean_diff", "ci_low", "ci_high", "p_value", "p_holm", "cliffs_delta", "effect"} <= set(frame.columns)
    assert set(cmp.to_frame("groups").columns) >= {"n", "mean", "median", "sd", "ci_low", "ci_high", "small"}



def test_bad_input_is_named():
    df = shifted(6, 0.1)
    with pytest.raises(KeyError, match="'speaker'"):
        compare(df, by="speaker")
    with pytest.raises(KeyError, match="'courtesy'"):
        compare(df, metrics=["courtesy"])
    with pytest.raises(TypeError, match="not numeric"):
        compare(df.assign(tone="x"), metrics=["tone"])
    with pytest.raises(ValueError, match="at least two groups"):
        compare(df[df.era == "early"], metrics=["hostility"])


def test_cliffs_delta_labels_and_holm():
    assert cliffs_delta(np.array([1, 2, 3]), np.array([1, 2, 3])) == 0.0
    assert cliffs_delta(np.array([5, 6]), np.array([1, 2])) == 1.0
    # brute force on ties
    a, b = np.array([1, 2, 2, 3]), np.array([2, 2, 4])
    brute = np.mean([np.sign(x - y) for x in a for y in b])
    assert cliffs_delta(a, b) == pytest.approx(brute)
    assert [effect_label(d) for d in (0.1, -0.2, 0.4, -0.6)] == ["negligible", "small", "medium", "large"]
    assert effect_label(0.147) == "small" and effect_label(0.33) == "medium" and effect_label(0.474) == "large"
    assert holm([0.01, 0.02, 0.5]).tolist() == pytest.approx([0.03, 0.04, 0.5])


def test_permutation_p_is_never_zero_and_bounded():
    df = pd.DataFrame({"era": ["a"] * 10 + ["b"] * 10, "hostility": [1.0] * 10 + [0.0] * 10})
    cmp = compare(df, metrics=["hostility"], n_boot=N_BOOT)
    p = cmp.pairs["p_value"].iloc[0]
    assert 0 < p <= 2 / (N_BOOT + 1)
    assert isinstance(cmp, Comparison)


def test_direction_needs_the_interval_and_the_holm_p():
    cmp = compare(shifted(seed=1, shift=0.2), by="era", metrics=["hostility"], n_boot=N_BOOT)
    assert cmp.direction("hostility", "early", "late") == 1
    assert cmp.direction("hostility", "late", "early") == -1
    assert cmp.direction("hostility", "late", "early", alpha=1e-9) == 0
    flat = compare(shifted(seed=2, shift=0.0), by="era", metrics=["hostility"], n_boot=N_BOOT)
    assert flat.direction("hostility", "early", "late") == 0
