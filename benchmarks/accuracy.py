"""Agreement of tonekit's scores with human labels on two public benchmarks.

Data (not shipped with tonekit; see each folder's README):

* Stanford Politeness Corpus, Wikipedia requests (Danescu-Niculescu-Mizil et al. 2013):
  ``politeness/wikipedia.annotated.csv``. The paper's binary protocol: the top quartile
  of ``Normalized Score`` is polite, the bottom quartile impolite (1,089 + 1,089).
* Kaggle "Detecting Insults in Social Commentary" (2012), training split:
  ``insults/train.csv`` (comments are escaped; decoded as its README says).

Rows of the table:

* untrained scores: ROC AUC of tonekit's ``tone`` (politeness) and ``hostility``
  (insults) with a 95% bootstrap interval, and accuracy at a threshold chosen on
  other folds (10 stratified folds: each fold is classified with the threshold that
  maximises accuracy on the other nine); VADER (compound for politeness, ``neg`` for
  insults) on the same protocol, in the same run;
* trained models, 10-fold stratified cross-validation (seed 0): TF-IDF word 1-2 grams +
  logistic regression, and the same with :class:`tonekit.features.ToneVectorizer`
  features (signed log1p, standardised, weight 0.3 in the union) + logistic regression
  (C=10). One configuration for both datasets.

Usage::

    python benchmarks/accuracy.py [--data DIR]    # default: $TONEKIT_BENCHMARKS or ../shared/benchmarks
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import re
import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, cross_val_score
from sklearn.pipeline import FeatureUnion, make_pipeline
from sklearn.preprocessing import FunctionTransformer, StandardScaler

import tonekit
from tonekit.evaluate import evaluate, score_texts
from tonekit.features import ToneVectorizer

REPO = Path(__file__).resolve().parents[1]
DEFAULT_DATA = REPO / ".." / "shared" / "benchmarks"
FOLDS = 10
SEED = 0
# Danescu-Niculescu-Mizil et al. 2013, Wikipedia, leave-one-out (as reported).
PUBLISHED = [("bag-of-words SVM", 0.7984), ("linguistically informed SVM", 0.8379), ("human agreement", 0.8672)]


def politeness(data: Path) -> tuple[list[str], np.ndarray]:
    df = pd.read_csv(data / "politeness" / "wikipedia.annotated.csv")
    q1, q3 = df["Normalized Score"].quantile([0.25, 0.75])
    low, high = df[df["Normalized Score"] <= q1], df[df["Normalized Score"] >= q3]
    texts = low["Request"].tolist() + high["Request"].tolist()
    return texts, np.array([0] * len(low) + [1] * len(high))


def decode_comment(raw: str) -> str:
    """Strip the outer quotes, undo (possibly double) escapes, then decode UTF-8 bytes."""
    text = raw[1:-1] if len(raw) >= 2 and raw[0] == raw[-1] == '"' else raw
    for _ in range(3):
        if "\\" not in text:
            break
        try:
            with warnings.catch_warnings():  # stray backslashes in comments are kept as they are
                warnings.simplefilter("ignore", DeprecationWarning)
                # latin-1 keeps characters U+0080-U+00FF as single bytes (codecs.decode
                # of a str would encode them as UTF-8 and garble them a second time)
                decoded = text.encode("latin-1", "backslashreplace").decode("unicode_escape")
        except UnicodeDecodeError:
            break
        if decoded == text:
            break
        text = decoded
    return _UTF8_BYTES.sub(_utf8, text)


# Runs of characters U+0080-U+00FF that spell UTF-8 byte sequences ("\xc2\xa0").
_UTF8_BYTES = re.compile(r"[\xc2-\xf4][\x80-\xbf]+")


def _utf8(match: re.Match) -> str:
    try:
        return match.group().encode("latin-1").decode("utf-8")
    except UnicodeDecodeError:
        return match.group()


def insults(data: Path) -> tuple[list[str], np.ndarray]:
    df = pd.read_csv(data / "insults" / "train.csv")
    return df["Comment"].map(decode_comment).tolist(), df["Insult"].to_numpy()


def signed_log1p(x: np.ndarray) -> np.ndarray:
    return np.sign(x) * np.log1p(np.abs(x))


def tfidf_model() -> object:
    return make_pipeline(TfidfVectorizer(ngram_range=(1, 2)), LogisticRegression(max_iter=3000))


def tonekit_model() -> object:
    tone = make_pipeline(
        ToneVectorizer(), FunctionTransformer(signed_log1p, feature_names_out="one-to-one"), StandardScaler()
    )
    union = FeatureUnion(
        [("tone", tone), ("tfidf", TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True))],
        transformer_weights={"tone": 0.3, "tfidf": 1.0},
    )
    return make_pipeline(union, LogisticRegression(C=10, max_iter=3000))


def vader(texts: list[str], key: str) -> np.ndarray:
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    analyzer = SentimentIntensityAnalyzer()
    return np.array([analyzer.polarity_scores(t)[key] for t in texts])


def untrained_rows(dataset: str, name: str, scores: np.ndarray, y: np.ndarray, accuracy: bool) -> list[dict]:
    ev = evaluate(scores, y, folds=FOLDS, n_bootstrap=1000, seed=SEED)
    rows = [{"dataset": dataset, "method": name, "metric": "ROC AUC", "value": ev.roc_auc,
             "note": f"95% CI {ev.ci_low:.3f}-{ev.ci_high:.3f}"}]
    if accuracy:
        rows.append({"dataset": dataset, "method": name, "metric": "accuracy", "value": ev.accuracy,
                     "note": f"threshold chosen on other folds ({FOLDS}-fold)"})
    return rows


def trained_row(dataset: str, name: str, model, texts, y, scoring: str) -> dict:
    cv = StratifiedKFold(n_splits=FOLDS, shuffle=True, random_state=SEED)
    scores = cross_val_score(model, np.asarray(texts, dtype=object), y, cv=cv, scoring=scoring)
    metric = {"accuracy": "accuracy", "roc_auc": "ROC AUC"}[scoring]
    return {"dataset": dataset, "method": name, "metric": f"{metric} ({FOLDS}-fold CV)", "value": scores.mean(),
            "note": f"sd over folds {scores.std():.3f}"}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=Path(os.environ.get("TONEKIT_BENCHMARKS", DEFAULT_DATA)))
    args = parser.parse_args(argv)
    pol_path = args.data / "politeness" / "wikipedia.annotated.csv"
    ins_path = args.data / "insults" / "train.csv"
    missing = [str(p) for p in (pol_path, ins_path) if not p.exists()]
    if missing:
        print(f"skipped: benchmark data not found ({', '.join(missing)}); "
              "pass --data DIR or set TONEKIT_BENCHMARKS", file=sys.stderr)
        return 0

    lexicon = tonekit.Lexicon.default()
    rows: list[dict] = []
    texts, y = politeness(args.data)
    tone, _ = score_texts(texts, "tone")
    rows += untrained_rows("politeness", "tonekit tone (untrained)", tone, y, accuracy=True)
    rows += untrained_rows("politeness", "VADER compound", vader(texts, "compound"), y, accuracy=True)
    rows.append(trained_row("politeness", "TF-IDF 1-2g + LR", tfidf_model(), texts, y, "accuracy"))
    rows.append(trained_row("politeness", "tonekit features + TF-IDF + LR", tonekit_model(), texts, y, "accuracy"))
    for name, value in PUBLISHED:
        rows.append({"dataset": "politeness", "method": f"published: {name}", "metric": "accuracy (as reported, LOO)",
                     "value": value, "note": "Danescu-Niculescu-Mizil et al. 2013"})

    texts, y = insults(args.data)
    hostility, _ = score_texts(texts, "hostility")
    rows += untrained_rows("insults", "tonekit hostility (untrained)", hostility, y, accuracy=True)
    rows += untrained_rows("insults", "VADER neg", vader(texts, "neg"), y, accuracy=True)
    rows.append(trained_row("insults", "TF-IDF 1-2g + LR", tfidf_model(), texts, y, "roc_auc"))
    rows.append(trained_row("insults", "tonekit features + TF-IDF + LR", tonekit_model(), texts, y, "roc_auc"))

    table = pd.DataFrame(rows)
    print(f"# tonekit accuracy benchmark — {dt.date.today().isoformat()}, tonekit {tonekit.__version__}, "
          f"lexicon {lexicon.label}\n")
    print("| dataset | method | metric | value | note |")
    print("|---|---|---|---:|---|")
    for r in table.itertuples(index=False):
        print(f"| {r.dataset} | {r.method} | {r.metric} | {r.value:.3f} | {r.note} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
