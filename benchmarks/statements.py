"""Agreement of tonekit's scores with the adjudicated codes of the coded statements corpus.

Data: ``corpora/statements_coded/`` (shipped with the repository; see its README and
CODEBOOK): 413 excerpts of official statements, each coded 0-3 for hostility and
courtesy by two coding passes and an adjudication, split by statement into ``dev``
(rules and lexicon are tuned there) and ``test`` (figures are reported there).

Tables, on the chosen split:

1. Spearman's rho of each score with the adjudicated code, per axis, with a 95%
   percentile bootstrap interval that resamples statements, not excerpts (excerpts of
   one statement are not independent; 2,000 resamples, seed 0, the same resamples for
   every row):

   * tonekit, untrained: ``hostility`` and ``courtesy`` of :func:`tonekit.score_corpus`;
   * VADER: ``neg`` for hostility, ``pos`` for courtesy, and ``compound`` (negated for
     hostility) for comparison;
   * TF-IDF word 1-2 grams + multinomial logistic regression, one model per axis
     predicting the 0-3 code, scored by the expected code under ``predict_proba``.
     On ``test`` it is trained on ``dev``; on ``dev`` (and ``all``) the scores are
     out-of-fold predictions of 10-fold cross-validation grouped by statement;
   * the ceiling: the two coding passes against each other, and each against the
     adjudicated code (the adjudication chose one pass's code, so these overstate).

2. tonekit per sampling ``register``: n, mean code, mean score and Spearman's rho within
   the register (where it has at least 8 excerpts), per axis.

3. With ``--errors N`` (``dev`` only: tuning on ``test`` is not allowed), the N excerpts
   per axis whose tonekit rank differs most from the rank of their code, with the
   markers tonekit found in them.

Usage::

    python benchmarks/statements.py [--split test|dev|all] [--errors N] [--data DIR]
    # default: --split test, --data corpora/statements_coded of this repository
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold
from sklearn.pipeline import make_pipeline
from threadpoolctl import threadpool_limits

import tonekit
from tonekit.stats import spearman

REPO = Path(__file__).resolve().parents[1]
DEFAULT_DATA = REPO / "corpora" / "statements_coded"
AXES = ("hostility", "courtesy")
SEED = 0
N_RESAMPLES = 2000
FOLDS = 10
MIN_REGISTER = 8
# The sampling registers from the most hostile to the most courteous (the README's order).
REGISTERS = ("condemnation", "threat", "refusal", "sarcasm", "reported", "neutral", "request", "offer",
             "protocol", "condolence", "congratulation")


# -- data ----------------------------------------------------------------------------------------


def load(data: Path = DEFAULT_DATA) -> pd.DataFrame:
    """Excerpts with their split, adjudicated codes (``code_<axis>``) and both passes
    (``a_<axis>``, ``b_<axis>``), one row per excerpt, in the order of ``excerpts.csv``."""
    df = pd.read_csv(data / "excerpts.csv", dtype=str, keep_default_na=False)
    df = df.merge(pd.read_csv(data / "split.csv"), on="statement_id", how="left", validate="many_to_one")
    for prefix, name in (("code", "codes.csv"), ("a", "coding_a.csv"), ("b", "coding_b.csv")):
        codes = pd.read_csv(data / name, usecols=["excerpt_id", *AXES])
        codes = codes.rename(columns={axis: f"{prefix}_{axis}" for axis in AXES})
        df = df.merge(codes, on="excerpt_id", how="left", validate="one_to_one")
    missing = df.columns[df.isna().any()].tolist()
    if missing:
        raise ValueError(f"excerpts without a split or a code: columns {missing}")
    return df


def select(df: pd.DataFrame, split: str) -> pd.DataFrame:
    return (df if split == "all" else df[df["split"] == split]).reset_index(drop=True)


# -- statistics ----------------------------------------------------------------------------------


def rho(x: np.ndarray, y: np.ndarray) -> float:
    """Spearman's rho; NaN (not 0) when either side is constant: undefined, not absent."""
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    if len(x) < 2 or np.ptp(x) == 0 or np.ptp(y) == 0:
        return float("nan")
    return float(spearman(x, y))


def cluster_spearman(
    x: np.ndarray, y: np.ndarray, groups: Sequence[str], n_resamples: int = N_RESAMPLES, seed: int = SEED
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Spearman's rho of each row of ``x`` with the same row of ``y`` (arrays ``(k, n)``),
    and its 95% percentile interval from a bootstrap that draws whole groups with
    replacement (the same draws for every row, so rows are compared on the same data).
    A resample in which a side is constant counts as rho 0 (:func:`tonekit.stats.spearman`).

    >>> x = np.array([[1.0, 2, 3, 4, 5, 6, 7, 8], [8.0, 7, 6, 5, 4, 3, 2, 1]])
    >>> y = np.array([1.0, 1, 2, 2, 2, 3, 3, 3])
    >>> r, lo, hi = cluster_spearman(x, np.tile(y, (2, 1)), list("aabbccdd"), 500)
    >>> r.round(2).tolist(), bool(lo[0] <= r[0] <= hi[0]), bool(hi[1] < lo[0])
    ([0.94, -0.94], True, True)
    """
    x, y = np.atleast_2d(np.asarray(x, dtype=float)), np.atleast_2d(np.asarray(y, dtype=float))
    codes, _ = pd.factorize(pd.Series(list(groups)))
    members = [np.flatnonzero(codes == g) for g in range(codes.max() + 1)]
    draws = np.random.default_rng(seed).integers(0, len(members), size=(n_resamples, len(members)))
    resampled = np.empty((n_resamples, x.shape[0]))
    for i, draw in enumerate(draws):
        rows = np.concatenate([members[g] for g in draw])
        resampled[i] = spearman(x[:, rows], y[:, rows])
    low, high = np.nanpercentile(resampled, [2.5, 97.5], axis=0)
    return np.array([rho(a, b) for a, b in zip(x, y)]), low, high


# -- scores --------------------------------------------------------------------------------------


def tonekit_scores(df: pd.DataFrame) -> pd.DataFrame:
    return tonekit.score_corpus(df[["excerpt_id", "text"]], progress=False)


def vader_scores(texts: Sequence[str]) -> pd.DataFrame | None:
    try:
        from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer
    except ImportError:
        print("VADER skipped: vaderSentiment is not installed", file=sys.stderr)
        return None
    analyzer = SentimentIntensityAnalyzer()
    return pd.DataFrame([analyzer.polarity_scores(t) for t in texts])


def tfidf_model() -> object:
    return make_pipeline(TfidfVectorizer(ngram_range=(1, 2)), LogisticRegression(max_iter=3000))


def expected_code(model, texts: Sequence[str]) -> np.ndarray:
    # the classes a fold's training data lacks get no probability, so weigh by classes_
    return model.predict_proba(list(texts)) @ model.classes_.astype(float)


def tfidf_scores(train: pd.DataFrame, target: pd.DataFrame | None, axis: str) -> tuple[np.ndarray, str]:
    """Expected code of ``target`` from a model trained on ``train``; with no ``target``,
    out-of-fold expected codes of ``train`` (folds grouped by statement)."""
    # one BLAS thread: on a busy machine threaded L-BFGS steps on so small a problem took
    # seconds each (oversubscription), single-threaded milliseconds; results do not change
    with threadpool_limits(limits=1, user_api="blas"):
        return _tfidf_scores(train, target, axis)


def _tfidf_scores(train: pd.DataFrame, target: pd.DataFrame | None, axis: str) -> tuple[np.ndarray, str]:
    if target is not None:
        model = tfidf_model().fit(train["text"].tolist(), train[f"code_{axis}"])
        return expected_code(model, target["text"]), "trained on dev"
    scores = np.empty(len(train))
    for fit, held in GroupKFold(n_splits=FOLDS).split(train, groups=train["statement_id"]):
        part = train.iloc[fit]
        model = tfidf_model().fit(part["text"].tolist(), part[f"code_{axis}"])
        scores[held] = expected_code(model, train["text"].iloc[held])
    return scores, f"{FOLDS}-fold CV grouped by statement"


# -- tables --------------------------------------------------------------------------------------


def agreement_rows(df: pd.DataFrame, rows: pd.DataFrame, scored: pd.DataFrame, split: str) -> pd.DataFrame:
    """One row per (axis, method): the score compared, rho and its interval. ``df`` is
    the whole corpus (the TF-IDF model for ``test`` is trained on its dev rows),
    ``scored`` tonekit's scores of ``rows``."""
    vader = vader_scores(rows["text"].tolist())
    entries: list[tuple[str, str, str, np.ndarray, np.ndarray]] = []  # axis, method, score, x, y
    for axis in AXES:
        code = rows[f"code_{axis}"].to_numpy(float)
        entries.append((axis, "tonekit (untrained)", axis, scored[axis].to_numpy(float), code))
        if vader is not None:
            key = {"hostility": "neg", "courtesy": "pos"}[axis]
            sign, label = (-1, "-compound") if axis == "hostility" else (1, "compound")
            entries.append((axis, "VADER", key, vader[key].to_numpy(float), code))
            entries.append((axis, "VADER", label, sign * vader["compound"].to_numpy(float), code))
        if split == "test":
            tfidf, how = tfidf_scores(select(df, "dev"), rows, axis)
        else:
            tfidf, how = tfidf_scores(rows, None, axis)
        entries.append((axis, f"TF-IDF 1-2g + LR ({how})", "expected code", tfidf, code))
        a, b = rows[f"a_{axis}"].to_numpy(float), rows[f"b_{axis}"].to_numpy(float)
        entries.append((axis, "ceiling: coder A vs coder B", "codes", a, b))
        entries.append((axis, "ceiling: coder A vs adjudicated", "codes", a, code))
        entries.append((axis, "ceiling: coder B vs adjudicated", "codes", b, code))
    x = np.array([e[3] for e in entries])
    y = np.array([e[4] for e in entries])
    r, low, high = cluster_spearman(x, y, rows["statement_id"].tolist())
    return pd.DataFrame({"axis": [e[0] for e in entries], "method": [e[1] for e in entries],
                         "score": [e[2] for e in entries], "rho": r, "low": low, "high": high})


def register_table(rows: pd.DataFrame, scored: pd.DataFrame) -> pd.DataFrame:
    """Per register (and overall): n, and per axis mean code, mean tonekit score and rho
    within the register (NaN below ``MIN_REGISTER`` excerpts)."""
    order = [r for r in REGISTERS if r in set(rows["register"])]
    order += sorted(set(rows["register"]) - set(order))
    out = []
    masks = [(r, rows["register"] == r) for r in order] + [("all", pd.Series(True, index=rows.index))]
    for name, mask in masks:
        line: dict[str, object] = {"register": name, "n": int(mask.sum())}
        for axis in AXES:
            code, score = rows.loc[mask, f"code_{axis}"].to_numpy(float), scored.loc[mask, axis].to_numpy(float)
            line[f"{axis}_code"] = code.mean()
            line[f"{axis}_score"] = score.mean()
            line[f"{axis}_rho"] = rho(score, code) if len(code) >= MIN_REGISTER else float("nan")
        out.append(line)
    return pd.DataFrame(out)


def rank_errors(rows: pd.DataFrame, scored: pd.DataFrame, axis: str, n: int) -> pd.DataFrame:
    """The ``n`` excerpts whose score's percentile rank is furthest from their code's."""
    out = rows[["excerpt_id", "text", f"code_{axis}"]].rename(columns={f"code_{axis}": "code"})
    out["score"] = scored[axis].to_numpy(float)
    out["code_rank"] = out["code"].rank(pct=True)
    out["score_rank"] = out["score"].rank(pct=True)
    out["gap"] = out["score_rank"] - out["code_rank"]
    return out.reindex(out["gap"].abs().sort_values(ascending=False, kind="stable").index).head(n)


def fmt(value: float, digits: int = 3) -> str:
    return "—" if np.isnan(value) else f"{value:.{digits}f}"


def print_errors(rows: pd.DataFrame, scored: pd.DataFrame, n: int) -> None:
    for axis in AXES:
        print(f"\n## Largest rank gaps, {axis} (rank of the tonekit score minus rank of the code)\n")
        for k, e in enumerate(rank_errors(rows, scored, axis, n).itertuples(index=False), 1):
            side = "over" if e.gap > 0 else "under"
            print(f"{k}. `{e.excerpt_id}` — code {int(e.code)}, tonekit {e.score:.3f} "
                  f"(ranks {e.score_rank:.2f} vs {e.code_rank:.2f}: {side})")
            print(f"   > {e.text}")
            markers = tonekit.score(e.text).markers
            for m in markers:
                kinds = ", ".join(m.modifier_kinds) or "-"
                print(f"   - \"{m.text}\" {m.category} w={m.effective_weight:.2f} modifiers: {kinds}")
            if not markers:
                print("   - (no markers)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--split", choices=("test", "dev", "all"), default="test")
    parser.add_argument("--errors", type=int, default=0, metavar="N",
                        help="print the N largest rank gaps per axis, with markers (dev only)")
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    args = parser.parse_args(argv)
    if args.errors and args.split != "dev":
        held = "is the test split" if args.split == "test" else "holds the test split"
        print(f"--errors is for development on the dev split only: --split {args.split} {held}, "
              "and tuning on test is not allowed", file=sys.stderr)
        return 2

    df = load(args.data)
    rows = select(df, args.split)
    lexicon = tonekit.Lexicon.default()
    print(f"# tonekit on the coded statements — {dt.date.today().isoformat()}, tonekit {tonekit.__version__}, "
          f"lexicon {lexicon.label}\n")
    print(f"Split **{args.split}**: {len(rows)} excerpts of {rows['statement_id'].nunique()} statements. "
          f"Spearman's rho with the adjudicated code; 95% percentile bootstrap over statements "
          f"({N_RESAMPLES:,} resamples, seed {SEED}, the same resamples for every row).\n")
    scored = tonekit_scores(rows)
    table = agreement_rows(df, rows, scored, args.split)
    print("| axis | method | score | rho | 95% CI |")
    print("|---|---|---|---:|---|")
    for r in table.itertuples(index=False):
        print(f"| {r.axis} | {r.method} | {r.score} | {r.rho:.3f} | {r.low:.3f} to {r.high:.3f} |")

    print(f"\n## tonekit by sampling register ({args.split}; rho where n >= {MIN_REGISTER})\n")
    print("| register | n | H code | H tonekit | H rho | C code | C tonekit | C rho |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for r in register_table(rows, scored).itertuples(index=False):
        print(f"| {r.register} | {r.n} | {r.hostility_code:.2f} | {r.hostility_score:.3f} | {fmt(r.hostility_rho)} "
              f"| {r.courtesy_code:.2f} | {r.courtesy_score:.3f} | {fmt(r.courtesy_rho)} |")

    if args.errors:
        print_errors(rows, scored, args.errors)
    return 0


if __name__ == "__main__":
    sys.exit(main())
