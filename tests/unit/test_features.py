"""ToneVectorizer: a scikit-learn transformer of texts into tonekit features."""

from __future__ import annotations

import pickle

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, cross_val_score
from sklearn.pipeline import FeatureUnion, make_pipeline
from sklearn.utils import estimator_checks as checks

import tonekit
from tonekit.features import STRUCTURE_FEATURES, ToneVectorizer

# Requests in the style of talk-page messages and diplomatic notes (constructed).
POLITE = [
    "Thank you for the update. Could you please send the revised draft when you have time?",
    "Hi, would you mind taking a look at the section on trade? Many thanks.",
    "I was wondering if you could help us with the translation; we would be grateful.",
    "Sorry to bother you, but would it be possible to move the meeting to Friday?",
    "Good morning! Perhaps we could discuss the schedule together at your convenience.",
    "We sincerely appreciate your kind assistance. Would you be willing to review the text?",
    "Hello, I apologise for the delay. Could we agree on the agenda by Monday, please?",
    "Many thanks for your help with the citations; would you have a moment to check them?",
    "Congratulations on your election. We look forward to working together.",
    "If I may, I would humbly suggest that we take this up next week. Thanks!",
]
IMPOLITE = [
    "Why did you delete my paragraph again? Stop reverting it.",
    "What is wrong with you? This edit is complete nonsense.",
    "You clearly did not read the source. Fix it now.",
    "Why are you ignoring the talk page? Answer the question.",
    "Who do you think you are? Your changes are ridiculous.",
    "Shut up and get lost, you idiot.",
    "This is a pathetic excuse for an article. Why would anyone write this?",
    "So you removed it without asking. Explain yourself.",
    "Your stupid template broke the page. Revert it.",
    "How dare you accuse me of vandalism? That is a lie.",
]
TOPICS = ["the budget", "the border talks", "the infobox", "the summit", "the references",
          "the map", "the trade figures", "the timeline", "the photo caption", "the history section"]


def corpus(n_per_class: int = 100) -> tuple[list[str], np.ndarray]:
    """``2 * n_per_class`` labeled texts: templates above, each about a topic."""
    texts, labels = [], []
    for i in range(n_per_class):
        topic = TOPICS[(i // len(POLITE)) % len(TOPICS)]
        texts.append(f"About {topic}: {POLITE[i % len(POLITE)]}")
        labels.append(1)
        texts.append(f"About {topic}: {IMPOLITE[i % len(IMPOLITE)]}")
        labels.append(0)
    return texts, np.array(labels)


def test_pipeline_cross_validates_on_200_texts_and_names_match_columns():
    texts, y = corpus(100)
    assert len(texts) == 200
    model = make_pipeline(ToneVectorizer(), LogisticRegression(max_iter=1000))
    scores = cross_val_score(model, texts, y, cv=StratifiedKFold(5, shuffle=True, random_state=0))
    assert scores.mean() > 0.9  # the templates differ in exactly the cues tonekit measures

    vec = ToneVectorizer().set_output(transform="pandas")
    frame = vec.fit_transform(pd.Series(texts, index=[f"t{i}" for i in range(200)]))
    assert isinstance(frame, pd.DataFrame)
    assert list(frame.columns) == vec.get_feature_names_out().tolist()
    assert list(frame.index[:2]) == ["t0", "t1"]
    assert frame.shape == (200, len(vec.get_feature_names_out()))
    plain = ToneVectorizer().fit_transform(texts)
    np.testing.assert_allclose(plain, frame.to_numpy())


def test_features_carry_the_evidence_of_the_score():
    texts = ["Why did you delete it, you idiot? Please stop.", "We are not grateful for this."]
    frame = ToneVectorizer().set_output(transform="pandas").fit_transform(texts)
    first = tonekit.score(texts[0])
    row = frame.iloc[0]
    assert row["count__insult"] == pytest.approx(sum(m.effective_weight for m in first.markers if m.category == "insult"))
    assert row["rate__insult"] == pytest.approx(first.categories["insult"])
    assert row["score__hostility"] == pytest.approx(first.hostility)
    assert row["struct__n_tokens"] == first.n_tokens
    assert row["struct__direct_question_start"] == 1
    assert row["struct__please_start"] == 1
    assert row["struct__question_marks"] == 1
    assert row["struct__second_person"] == 2
    assert frame.iloc[1]["mod__negated_courtesy"] == 1  # "not grateful"
    assert frame.iloc[1]["count__gratitude"] == 0


def test_switches_select_feature_groups():
    only_counts = ToneVectorizer(rates=False, modifiers=False, structure=False).fit([])
    names = only_counts.get_feature_names_out().tolist()
    assert names == [f"count__{c}" for c in tonekit.Lexicon.default().categories]
    structure = ToneVectorizer(counts=False, rates=False, modifiers=False).fit([])
    assert structure.get_feature_names_out().tolist() == [
        "struct__n_tokens", *(f"struct__{s}" for s in STRUCTURE_FEATURES)
    ]


def test_feature_union_with_tfidf():
    texts, y = corpus(30)
    union = FeatureUnion([("tone", ToneVectorizer()), ("tfidf", TfidfVectorizer(ngram_range=(1, 2)))])
    model = make_pipeline(union, LogisticRegression(max_iter=1000)).fit(texts, y)
    names = model[0].get_feature_names_out()
    assert "tone__count__gratitude" in names and any(n.startswith("tfidf__") for n in names)
    assert model[0].transform(texts[:3]).shape == (3, len(names))
    assert model.predict(["Thank you so much, could you please help?"]).tolist() == [1]


def test_custom_lexicon_pickles_as_data_and_clones():
    lex = tonekit.Lexicon.from_records(
        [{"term": "stooge", "dimension": "hostility", "category": "epithet", "weight": 2},
         {"term": "thank you", "dimension": "courtesy", "category": "gratitude", "weight": 1}],
        name="tiny", version="1.0.0",
        categories={"epithet": {"dimension": "hostility", "definition": "labels"},
                    "gratitude": {"dimension": "courtesy", "definition": "thanks"}},
    )
    vec = ToneVectorizer(lexicon=lex).fit([])
    texts = ["The stooge said thank you."]
    blob = pickle.dumps(vec)
    assert b"tonekit.lexicon" not in blob  # no Lexicon object inside: its files' text
    again = pickle.loads(blob)
    assert again.lexicon == lex
    np.testing.assert_allclose(again.transform(texts), vec.transform(texts))
    assert again.get_feature_names_out().tolist()[:2] == ["count__epithet", "count__gratitude"]
    cloned = clone(vec)
    assert cloned.lexicon == lex and not hasattr(cloned, "feature_names_out_")


def test_lexicon_by_name_pickles_and_transforms():
    vec = ToneVectorizer(lexicon="diplomatic-en").fit([])
    again = pickle.loads(pickle.dumps(vec))
    np.testing.assert_allclose(again.transform(["Thank you."]), vec.transform(["Thank you."]))


def test_bad_input_names_the_row():
    vec = ToneVectorizer().fit([])
    with pytest.raises(TypeError, match="row 1"):
        vec.transform(["fine", None])
    with pytest.raises(TypeError, match="single str"):
        vec.transform("just one text")
    with pytest.raises(ValueError, match="one text column"):
        vec.transform(pd.DataFrame({"a": ["x"], "b": ["y"]}))


def test_transform_before_fit_raises():
    from sklearn.exceptions import NotFittedError

    with pytest.raises(NotFittedError):
        ToneVectorizer().transform(["text"])


# scikit-learn's estimator checks that do not feed numeric arrays: the transformer
# takes a sequence of strings (like TfidfVectorizer), so the checks that fit on
# random float matrices (check_transformer_general, check_n_features_in,
# check_transformer_get_feature_names_out, ...) do not apply; their text
# equivalents are the tests above.
@pytest.mark.parametrize(
    "check",
    [
        checks.check_no_attributes_set_in_init,
        checks.check_get_params_invariance,
        checks.check_set_params,
        checks.check_parameters_default_constructible,
        checks.check_do_not_raise_errors_in_init_or_set_params,
        checks.check_estimator_cloneable,
        checks.check_estimator_repr,
        checks.check_mixin_order,
        checks.check_valid_tag_types,
        checks.check_estimator_tags_renamed,
    ],
    ids=lambda c: c.__name__,
)
def test_sklearn_estimator_checks(check):
    check("ToneVectorizer", ToneVectorizer())
