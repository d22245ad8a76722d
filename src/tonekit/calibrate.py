"""Learn a lexicon's weights from labeled texts: :func:`calibrate`.

The score of a dimension grows with the density of its markers,
``100 * sum(weights) / (n_tokens + PRIOR_TOKENS)``. Calibration fits a cross-validated,
L2-regularised regression of the labels on that density split by category::

    label ~ b * density_total + sum_c delta_c * density_c   (+ the other dimension's density)

``b`` is left unpenalised (its column is scaled up so the penalty on it vanishes),
so the penalty shrinks each ``delta_c`` toward 0, that is toward the lexicon's own
weights: a category seen in few texts keeps its weights, one whose markers predict the
labels better than average is raised, one that does not predict them is lowered.
Every entry of category ``c`` gets its weight times ``(b + delta_c) / b``, clipped to
the lexicon's weight scale. With ``per_entry=True`` entries seen in at least
``min_count`` texts also get their own ``delta_e`` on top of their category's.

The result is a new :class:`~tonekit.Lexicon` — a new version, the changed weights,
and the fit recorded in its metadata (no timestamps: the same data give the same
lexicon) — to review with the lexicon diff tools before adopting it. An example is in :func:`calibrate`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from .lexicon import DEFAULT_MAX_WEIGHT, DIMENSIONS, Entry, Lexicon, resolve
from .pipeline import pipeline_for
from .scoring import PRIOR_TOKENS

# Scale of the unpenalised columns: their coefficients become this much smaller, and
# so does their share of the L2 penalty.
_FREE_SCALE = 1000.0


def calibrate(
    lexicon: Lexicon | str | Path | None,
    texts: Sequence[str],
    labels: Sequence[float],
    dimension: str = "courtesy",
    *,
    per_entry: bool = False,
    min_count: int = 5,
    folds: int = 5,
    seed: int = 0,
    min_weight: float = 0.05,
) -> Lexicon:
    """A copy of ``lexicon`` whose ``dimension`` weights are fitted to labeled texts.

    ``labels`` grow with the dimension: 1 = polite / 0 = impolite for ``courtesy``,
    1 = insult / 0 = neutral for ``hostility``, or graded ratings (then a ridge
    regression is fitted instead of a logistic one). Weights stay in
    ``[min_weight, max_weight]`` of the lexicon's scale.

    >>> from tonekit import Lexicon
    >>> lex = Lexicon.from_records(
    ...     [{"term": "thank you", "dimension": "courtesy", "category": "gratitude", "weight": 1},
    ...      {"term": "hello", "dimension": "courtesy", "category": "greeting", "weight": 1}],
    ...     name="tiny", version="1.0.0",
    ...     categories={"gratitude": {"dimension": "courtesy", "definition": "thanks"},
    ...                 "greeting": {"dimension": "courtesy", "definition": "salutations"}})
    >>> texts, labels = [], []  # thanks make a text likelier polite; "hello" does not
    >>> for hello in ("Hello, ", ""):
    ...     for thanks, polite in (("thank you, ", 12), ("", 3)):
    ...         texts += [f"{hello}{thanks}the report is ready."] * 15
    ...         labels += [1] * polite + [0] * (15 - polite)
    >>> new = calibrate(lex, texts, labels)
    >>> {e.term: e.weight > 1 for e in new}
    {'thank you': True, 'hello': False}
    """
    if dimension not in DIMENSIONS:
        raise ValueError(f"dimension must be one of {DIMENSIONS}, got {dimension!r}")
    base = resolve(lexicon)
    # scikit-learn is imported when it is needed: it takes longer to import than
    # spaCy, and most sessions of tonekit never calibrate.
    from sklearn.linear_model import LogisticRegression, LogisticRegressionCV, RidgeCV
    from sklearn.model_selection import KFold, StratifiedKFold, cross_val_score

    from .features import as_texts

    texts = as_texts(texts)
    y = np.asarray(labels, dtype=float)
    if y.ndim != 1 or len(y) != len(texts):
        raise ValueError(f"got {len(y)} labels for {len(texts)} texts")
    if not np.isfinite(y).all():
        raise ValueError(f"row {int(np.flatnonzero(~np.isfinite(y))[0])}: label is not a finite number")
    binary = set(np.unique(y).tolist()) <= {0.0, 1.0}
    if binary and len(np.unique(y)) < 2:
        raise ValueError("the labels hold a single class: nothing to calibrate against")

    categories = base.categories_of(dimension)
    densities, entry_densities, entry_texts = _densities(base, texts, dimension)
    keyed = [e.key for e in base.entries if e.dimension == dimension]
    own = [k for k in dict.fromkeys(keyed) if entry_texts.get(k, 0) >= min_count] if per_entry else []

    cat_x = np.column_stack([densities[c] for c in categories])
    total = cat_x.sum(axis=1)
    other = densities["__other__"]
    if not total.any():
        raise ValueError(f"no {dimension} markers of {base.label} in the texts: nothing to calibrate")
    columns = [total * _FREE_SCALE, other * _FREE_SCALE, cat_x]
    if own:
        columns.append(np.column_stack([entry_densities[k] for k in own]))
    X = np.column_stack(columns)

    if binary:
        cv = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
        # C is chosen by log loss: ROC AUC only sees the ranking, which is often the
        # same for every C, and would then pick the strongest penalty.
        model = LogisticRegressionCV(
            Cs=np.logspace(-3, 3, 13), l1_ratios=(0.0,), cv=cv, scoring="neg_log_loss",
            max_iter=10_000, use_legacy_attributes=False,
        )
        model.fit(X, y.astype(int))
        coef = model.coef_.ravel()
        chosen = LogisticRegression(C=float(model.C_), max_iter=10_000)
        cv_score = float(cross_val_score(chosen, X, y.astype(int), cv=cv, scoring="roc_auc").mean())
        method, metric, penalty = "LogisticRegressionCV (L2)", "roc_auc", {"C": float(model.C_)}
    else:
        cv = KFold(n_splits=folds, shuffle=True, random_state=seed)
        model = RidgeCV(alphas=np.logspace(-3, 3, 13), cv=cv, scoring="r2").fit(X, y)
        coef = np.asarray(model.coef_).ravel()
        cv_score = float(model.best_score_)
        method, metric, penalty = "RidgeCV", "r2", {"alpha": float(model.alpha_)}

    b = coef[0] * _FREE_SCALE
    if not b > 0:
        raise ValueError(
            f"the {dimension} markers do not rise with the labels (coefficient {b:.3g}): "
            f"labels must grow with {dimension} (are they reversed?)"
        )
    deltas = dict(zip(categories, coef[2 : 2 + len(categories)]))
    multipliers = {c: (b + deltas[c]) / b for c in categories}
    entry_extra = dict(zip(own, coef[2 + len(categories) :]))

    max_weight = float(base.metadata.get("max_weight", DEFAULT_MAX_WEIGHT))
    entries = []
    for e in base.entries:
        if e.dimension != dimension:
            entries.append(e)
            continue
        factor = (b + deltas[e.category] + entry_extra.get(e.key, 0.0)) / b
        weight = round(float(min(max(e.weight * factor, min_weight), max_weight)), 2)
        entries.append(Entry(e.term, e.dimension, e.category, weight, e.match, e.note))

    record: dict[str, Any] = {
        "method": f"{method} on marker densities per category, shrunk toward the base weights",
        "dimension": dimension,
        "base": base.label,
        "base_hash": base.content_hash[:16],
        "data_hash": _data_hash(texts, y),
        "n": len(texts),
        "labels": "binary" if binary else "graded",
        "n_positive": int(y.sum()) if binary else None,
        "cv": f"{folds}-fold {'stratified ' if binary else ''}shuffled, seed {seed}",
        "cv_metric": metric,
        "cv_score": round(cv_score, 4),
        **{k: round(v, 6) for k, v in penalty.items()},
        "weight_range": [min_weight, max_weight],
        "multipliers": {c: round(float(m), 4) for c, m in multipliers.items()},
        "categories_seen": {c: int((densities[c] > 0).sum()) for c in categories},
        "per_entry": bool(per_entry),
        "entries_fitted": len(own),
        "entries_changed": sum(old.weight != new.weight for old, new in zip(base.entries, entries)),
    }
    record = json.loads(json.dumps(record))  # plain JSON types only
    history = [*base.metadata.get("calibrations", []), record]
    digest = hashlib.sha256(
        json.dumps([base.content_hash, record, [e.weight for e in entries]], sort_keys=True).encode()
    ).hexdigest()[:8]
    version = f"{base.version.split('+')[0]}+cal.{digest}"
    return base.replace(
        version=version,
        entries=tuple(entries),
        metadata={**base.metadata, "calibrations": history},
    )


def _densities(
    lexicon: Lexicon, texts: list[str], dimension: str
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray], dict[str, int]]:
    """Per category (and ``__other__`` for the other dimension) and per entry key:
    ``100 * effective weight / (n_tokens + PRIOR_TOKENS)`` of every text; and the
    number of texts each entry occurs in."""
    nlp = pipeline_for(lexicon)
    n = len(texts)
    by_category = {c: np.zeros(n) for c in lexicon.categories_of(dimension)}
    by_category["__other__"] = np.zeros(n)
    by_entry: dict[str, np.ndarray] = {}
    entry_texts: dict[str, int] = {}
    for i, doc in enumerate(nlp.pipe(texts, batch_size=256)):
        result = doc._.tonekit
        norm = 100.0 / (result.n_tokens + PRIOR_TOKENS)
        seen = set()
        for m in result.markers:
            value = m.effective_weight * norm
            if m.dimension != dimension:
                by_category["__other__"][i] += value
                continue
            by_category[m.category][i] += value
            key = " ".join(m.term.lower().split())
            by_entry.setdefault(key, np.zeros(n))[i] += value
            seen.add(key)
        for key in seen:
            entry_texts[key] = entry_texts.get(key, 0) + 1
    return by_category, by_entry, entry_texts


def _data_hash(texts: list[str], y: np.ndarray) -> str:
    digest = hashlib.sha256()
    for text, label in zip(texts, y):
        digest.update(text.encode("utf-8"))
        digest.update(b"\x00" + repr(float(label)).encode() + b"\x00")
    return digest.hexdigest()[:16]
