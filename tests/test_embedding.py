"""``chatbot.embedding``: WordLlama's text vectors, from local files, without running WordLlama's code."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
from conftest import ROOT

from chatbot import Chatbot
from chatbot.answerer import question_part
from chatbot.embedding import DIMENSIONS, Embedder
from chatbot.examples import highest_of
from chatbot.model import FEATURES

TEXTS = [
    "how many days off work",
    "Return to work within a few days.",
    "can i take paracetamol afterwards",
    "what are the risks",
    "x",
    "Rhizotomy — ¿qué es? 東京",
]


def test_vectors_are_wordllamas_own() -> None:
    """The same numbers WordLlama's inference computes from the same table and tokenizer (mean pooling, unit length)."""
    from tokenizers import Tokenizer
    from wordllama.inference import WordLlamaInference

    embedder = Embedder.shared()
    tokenizer = Tokenizer.from_str(embedder.tokenizer.to_str())  # WordLlama sets padding on the one it is given
    reference = WordLlamaInference(embedder.table, tokenizer).embed(TEXTS, norm=True)
    assert np.allclose(embedder.embed(TEXTS), reference, atol=1e-5)


def test_rows_are_unit_length_and_an_empty_text_is_zero() -> None:
    vectors = Embedder.shared().embed(["", *TEXTS, ""])
    assert vectors.shape == (len(TEXTS) + 2, DIMENSIONS) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors[1:-1], axis=1), 1.0)
    assert not vectors[0].any() and not vectors[-1].any()
    assert Embedder.shared().embed([]).shape == (0, DIMENSIONS)


@pytest.mark.parametrize(
    ("question", "closer", "farther"),
    [
        ("how many days off work", "return to work within a few days", "pain relief lasting months to years"),
        (
            "will they burn the nerve",
            "radiofrequency energy heats and ablates the nerve",
            "return to work within a few days",
        ),
        (
            "what could go wrong",
            "possible complications include infection and bleeding",
            "return to work within a few days",
        ),
        (
            "can i eat beforehand",
            "avoid eating or drinking several hours before surgery",
            "possible complications include infection",
        ),
    ],
)
def test_meaning_without_shared_words(question: str, closer: str, farther: str) -> None:
    """What the embeddings add to TF-IDF: a lay question is nearer the passage that means the same."""
    q, near, far = Embedder.shared().embed([question, closer, farther])
    assert float(q @ near) > float(q @ far)


def test_loading_reaches_no_network_and_runs_no_wordllama_code() -> None:
    """With every socket refused, it loads and embeds; ``wordllama`` (whose loader downloads) is never imported."""
    code = (
        "import socket, sys\n"
        "def refuse(*a, **k): raise OSError('outbound connection attempted')\n"
        "socket.socket.connect = refuse; socket.create_connection = refuse; socket.getaddrinfo = refuse\n"
        "from chatbot.embedding import Embedder\n"
        "assert Embedder.shared().embed(['is it safe']).shape == (1, 256)\n"
        "assert 'wordllama' not in sys.modules and 'requests' not in sys.modules, sorted(sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr


def test_meaning_features_of_candidates(bot: Chatbot) -> None:
    """A pair's own phrasing is at cosine 1 from it; a pair with no labelled examples (a clinic's new
    document) has ``example_known`` 0 and no closest example (-1), on both sides of that line."""
    question = "How long does the pain relief from cervical rhizotomy last?"
    column = {name: FEATURES.index(name) for name in ("meaning_phrasing", "example_known", "meaning_example")}
    decision = bot.answerer_.decide(question)
    best = decision.best
    assert best is not None and best.features[column["meaning_phrasing"]] == pytest.approx(1.0, abs=1e-5)
    assert best.features[column["example_known"]] == 1.0 and best.features[column["meaning_example"]] > 0.5
    unlabelled = bot.answerer_.__class__(
        bot.pairs, index=bot.answerer_.index, synonyms=bot.synonyms, model=bot.model, examples=None
    )
    query = unlabelled.index.query(question)
    rows = unlabelled.features(query, unlabelled.matches(query))
    assert (rows[:, column["example_known"]] == 0.0).all() and (rows[:, column["meaning_example"]] == -1.0).all()


def test_the_highest_of_each_group_and_the_empty_ones() -> None:
    """Three values: a group of two, a group of one, two empty groups (``empty``, on both sides
    of having a value); the groups' order is kept."""
    values = np.array([0.6, 0.8, 0.1], dtype=np.float32)
    groups = [np.array([1]), np.array([0, 1]), np.array([], dtype=np.int64), np.array([], dtype=np.int64)]
    assert highest_of(values, groups, empty=-1.0).tolist() == pytest.approx([0.8, 0.8, -1.0, -1.0])
    assert highest_of(values, [np.array([2]), groups[2]], empty=0.0).tolist() == pytest.approx([0.1, 0.0])
    assert highest_of(values, [], empty=-1.0).tolist() == []


def test_each_pairs_closest_labelled_question_is_the_highest_of_its_own(bot: Chatbot) -> None:
    """On the test knowledge base's 9,323 examples: each candidate's closest labelled question and
    the closest one no passage answers are the highest cosines of exactly those questions."""
    answerer = bot.answerer_
    assert answerer.examples is not None
    vectors = answerer.meaning_vectors_["asked"]
    own: list[list[int]] = [[] for _ in answerer.pairs]
    for row, found in enumerate(answerer.examples.labels_):
        for position in found.tolist():
            own[position].append(row)
    unanswered = [row for row, found in enumerate(answerer.examples.labels_) if not len(found)]
    assert unanswered and all(own)
    column = {name: FEATURES.index(name) for name in ("meaning_example", "meaning_unanswered", "example_known")}
    for question in ["how many days off work", "can i take paracetamol afterwards", "how much does it cost"]:
        query = answerer.index.query(question)
        matches = answerer.matches(query)
        rows = answerer.features(query, matches)
        vector = answerer.embedder.embed([question_part(query.corrected)])[0]
        exact = vectors.astype(np.float64) @ vector.astype(np.float64)
        places = [answerer.index.position_[m.pair.id] for m in matches]
        assert rows[:, column["meaning_example"]] == pytest.approx([exact[own[p]].max() for p in places], abs=1e-6)
        assert rows[:, column["meaning_unanswered"]] == pytest.approx(exact[unanswered].max(), abs=1e-6)
        assert (rows[:, column["example_known"]] == 1.0).all()


def test_no_token_runs_across_a_space_after_a_character() -> None:
    """What makes tokenizing word by word exact (:meth:`Embedder.token_ids`): only runs of space marks
    hold a space mark anywhere but first."""
    vocabulary = Embedder.shared().tokenizer.get_vocab()  # type: ignore[attr-defined]
    assert not [token for token in vocabulary if "\u2581" in token.lstrip("\u2581")]


def test_word_by_word_ids_are_the_tokenizers_own(bot: Chatbot) -> None:
    """Every text a start embeds, and awkward spacing, special tokens' text and unusual letters,
    get exactly the ids the tokenizer gives the whole text."""
    shared = Embedder.shared()
    whole = Embedder(shared.table, shared.tokenizer)
    answerer = bot.answerer_
    texts = [*answerer.index.phrasings_, *(pair.answer for pair in bot.pairs), *(e.text for e in bot.examples)]
    texts += [
        *TEXTS,
        "",
        " ",
        "  ",
        "a ",
        "a  ",
        " a",
        "  a  b   c ",
        "a\tb \nc",
        "tab\t ",
        "a <s> b",
        "a</s> b <unk>c ",
        "\u2581",
        "a\u2581b \u2581\u2581c",
        "café — ¿qué? 東京 😀 x",
        "x\u00a0y z",
    ]
    assert shared.by_word and shared.token_ids(texts) == whole.token_ids(texts)
    assert np.array_equal(shared.embed(texts), whole.embed(texts))
    # A text of a few words is tokenized one word per call, not as a batch: the same ids.
    short = [text for text in texts if len(text.split()) <= 8]
    assert len(short) > 20 and all(shared.token_ids([text]) == whole.token_ids([text]) for text in short)
