"""The examples' classifier (:mod:`chatbot.classifier`): scikit-learn's numbers, computed without it at answer time."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
from conftest import ROOT
from scipy.sparse import hstack
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from chatbot import Chatbot
from chatbot.classifier import MIN_EXAMPLES, NO_PAIR, C, QuestionClassifier, char_terms, fit_key, word_terms

EXAMPLES = (
    ("how long does the relief last", [0]),
    ("how long will the pain relief last for", [0]),
    ("will the relief last long", [0]),
    ("is it safe", [1]),
    ("is it safe for someone my age", [1]),
    ("what are the risks", [1]),
    ("can i drive home afterwards", [2]),
    ("who drives me home after", [2]),
    ("what are the risks and how long does relief last", [0, 1]),
    ("how much does it cost", []),
    ("does my insurance pay for it", []),
    ("how much will it cost me", []),
)
QUESTIONS = (
    "how long does it last",
    "what are the risks of it",
    "can my son drive me home",
    "what does it cost",
    "words the examples never use",
    "",
)


@pytest.mark.parametrize(
    "text", ["Héllo  wörld, it's a TEST-case x", "a", " ", "can't I eat 2 hours before?", "rhizotomy\tneck\n"]
)
def test_the_terms_are_scikit_learns(text: str) -> None:
    assert word_terms(text) == TfidfVectorizer(ngram_range=(1, 2)).build_analyzer()(text)
    assert char_terms(text) == TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5)).build_analyzer()(text)


def _scikit_learn(examples: tuple[tuple[str, list[int]], ...], questions: tuple[str, ...]) -> np.ndarray:
    """The same fit through scikit-learn's own transform and ``predict_proba``."""
    texts = [text for text, _ in examples]
    rows = [(row, pair, 1 / max(len(pairs), 1)) for row, (_, pairs) in enumerate(examples) for pair in pairs or [-1]]
    vectorizers = [
        TfidfVectorizer(analyzer=terms, sublinear_tf=True, min_df=MIN_EXAMPLES) for terms in (word_terms, char_terms)
    ]
    matrix = hstack([v.fit_transform(texts) for v in vectorizers]).tocsr()
    model = LogisticRegression(C=C, max_iter=5000).fit(
        matrix[[r for r, _, _ in rows]], [p for _, p, _ in rows], sample_weight=[w for _, _, w in rows]
    )
    return model.predict_proba(hstack([v.transform(questions) for v in vectorizers]).tocsr())


@pytest.mark.parametrize(
    "examples",
    [EXAMPLES, tuple((text, pairs) for text, pairs in EXAMPLES if pairs in ([0], []))],
    ids=["four classes", "two classes"],
)
def test_the_probabilities_are_scikit_learns(examples: tuple[tuple[str, list[int]], ...]) -> None:
    classifier = QuestionClassifier.fit([text for text, _ in examples], [pairs for _, pairs in examples])
    assert classifier is not None
    ours = np.vstack([classifier.probabilities(question) for question in QUESTIONS])
    assert np.allclose(ours, _scikit_learn(examples, QUESTIONS), atol=1e-5)


@pytest.mark.parametrize(
    ("question", "pair"),
    [
        ("how long does it last", 0),
        ("is it safe for me", 1),
        ("can someone drive me home", 2),
        ("what will it cost", NO_PAIR),
    ],
)
def test_a_question_goes_to_the_pair_whose_examples_use_its_words(question: str, pair: int) -> None:
    classifier = QuestionClassifier.fit([text for text, _ in EXAMPLES], [pairs for _, pairs in EXAMPLES])
    assert classifier is not None
    by_pair, none = classifier.by_pair(question, 4)
    assert by_pair[3] == 0.0  # no example is labelled with it
    best = NO_PAIR if none > by_pair.max() else int(np.argmax(by_pair))
    assert best == pair
    assert by_pair.sum() + none == pytest.approx(1.0)


@pytest.mark.parametrize(
    ("texts", "labels"),
    [
        (["how long does it last", "how long will it last"], [[0], [0]]),
        (["how long", "is it safe"], [[0], [1]]),
    ],
    ids=["one class", "no term in two examples"],
)
def test_too_little_to_learn_from_gives_no_classifier(texts: list[str], labels: list[list[int]]) -> None:
    assert QuestionClassifier.fit(texts, labels) is None


def test_a_stored_fit_is_kept_only_for_the_same_texts_and_labels() -> None:
    texts, labels = [text for text, _ in EXAMPLES], [pairs for _, pairs in EXAMPLES]
    fitted = QuestionClassifier.fit(texts, labels)
    assert fitted is not None and fitted.fitted_on == fit_key(texts, labels)
    assert QuestionClassifier.fit(texts, labels, reuse=fitted) is fitted
    relabelled = [*labels[:-1], [2]]
    other = QuestionClassifier.fit(texts, relabelled, reuse=fitted)
    assert other is not fitted and other is not None and other.fitted_on == fit_key(texts, relabelled)
    assert fit_key([*texts[:-1], "how much will it cost"], labels) != fitted.fitted_on
    unknown = QuestionClassifier(
        fitted.vocabularies, idf=fitted.idf, coef=fitted.coef, intercept=fitted.intercept, classes=fitted.classes
    )
    assert QuestionClassifier.fit(texts, labels, reuse=unknown) is not unknown, "a fit of unknown examples is redone"


def test_arrays_that_do_not_fit_together_raise() -> None:
    with pytest.raises(ValueError, match="do not fit together"):
        QuestionClassifier(
            ({"a": 0}, {" a": 0}), idf=np.ones(2), coef=np.zeros((2, 3)), intercept=np.zeros(2), classes=np.arange(2)
        )


def test_the_test_knowledge_bases_classifier_reads_patients_words(bot: Chatbot) -> None:
    """Fitted on the test knowledge base's labelled examples: a cost question is no passage's."""
    examples = bot.answerer_.examples
    assert examples is not None and examples.classifier_ is not None
    positions = {pair.id: i for i, pair in enumerate(bot.pairs)}
    by_pair, none = examples.classifier_.by_pair("how much will the whole thing cost us", len(positions))
    assert none > by_pair.max()
    by_pair, none = examples.classifier_.by_pair("how long will the relief last", len(positions))
    assert by_pair.max() > none
    assert "duration" in bot.pairs[int(np.argmax(by_pair))].id


def test_answering_with_the_stored_classifier_imports_no_scikit_learn() -> None:
    """The build stored the fitted numbers (``examples.npz``): a start and a question read them only."""
    code = (
        "import sys; from chatbot import Chatbot; Chatbot.load().ask('how long does the relief last'); "
        "print(sorted(m for m in ('sklearn', 'scipy.sparse') if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
