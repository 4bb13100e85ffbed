"""Labelled patient questions (``examples.yaml``): read fail-closed, vote by nearness, never the test split."""

from __future__ import annotations

import logging
import re
from pathlib import Path

import numpy as np
import pytest
import yaml
from conftest import KB, ROOT

from chatbot import Chatbot, KnowledgeBaseError
from chatbot.build import build
from chatbot.examples import NEIGHBOURS, Example, Examples, passage_digest, read_examples
from chatbot.pairs import Pair
from chatbot.paths import KnowledgeBasePaths
from chatbot.reply import Source
from chatbot.train import read_bank

PAIR_IDS = ("a/risks", "a/recovery", "b/risks")
PAIRS = [
    Pair(id=pair_id, question=f"{pair_id}?", answer=f"The passage of {pair_id}.", source=Source("Doc", "a.md"))
    for pair_id in PAIR_IDS
]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("- q: how long\n", r"examples\.yaml: needs 'examples': a list of \{q: question, pairs: \[pair ids\]\}"),
        ("examples:\n- pairs: [a/risks]\n", r"examples\.yaml: example 1 has no question text 'q'"),
        ("examples:\n- q: is it safe\n", r"examples\.yaml: example 1 needs 'pairs': a list of pair ids"),
        ("examples:\n- q: is it safe\n  pairs: [3]\n", r"example 1 needs 'pairs'"),
        (
            "examples:\n- q: is it safe\n  pairs: a/risks\n",
            r"pair ids \(\[\]: no passage answers it\)",
        ),
        ("passages: [a/risks]\nexamples: []\n", r"examples\.yaml: 'passages' maps pair ids to the digests"),
        ("examples:\n- q: [unclosed\n", r"examples\.yaml:\d+: invalid YAML"),
    ],
)
def test_a_broken_examples_file_raises_naming_it(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "examples.yaml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(KnowledgeBaseError, match=message):
        read_examples(path, PAIRS)


def test_no_examples_file_means_no_examples(tmp_path: Path) -> None:
    assert read_examples(tmp_path / "examples.yaml", PAIRS) == ()
    (tmp_path / "examples.yaml").write_text("# none yet\n", encoding="utf-8")
    assert read_examples(tmp_path / "examples.yaml", PAIRS) == ()


def test_labels_of_gone_or_changed_passages_are_left_out(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / "examples.yaml"
    digest = passage_digest(PAIRS[0])
    path.write_text(
        f"passages:\n  a/risks: {digest}\n  b/risks: 000000000000\n"
        "examples:\n"
        "- q: is it safe\n  pairs: [a/risks, b/risks]\n"
        "- q: when can i walk\n  pairs: [a/walking]\n"
        "- q: how long to recover\n  pairs: [a/recovery]\n"
        "- q: how much does it cost\n  pairs: []\n",
        encoding="utf-8",
    )
    with caplog.at_level(logging.WARNING, logger="chatbot.examples"):
        examples = read_examples(path, PAIRS)
    assert examples == (
        Example("is it safe", ("a/risks",)),
        Example("how long to recover", ("a/recovery",)),
        Example("how much does it cost", ()),
    )
    assert "examples.yaml: 2 labels name passages that are gone or changed" in caplog.text


def test_the_shipped_examples_all_hold() -> None:
    bot = Chatbot.load(KB)
    examples = read_examples(KB / "examples.yaml", bot.pairs)
    assert len(examples) == len(bot.examples) > 400
    assert sum(len(e.pairs) for e in examples) == (KB / "examples.yaml").read_text(encoding="utf-8").count("\n  - ")


def test_removing_a_document_leaves_its_examples_out(faq_copy: Path) -> None:
    (faq_copy / "documents" / "selective-dorsal-rhizotomy.txt").unlink()
    curated = yaml.safe_load((faq_copy / "curated.yaml").read_text("utf-8"))
    curated["pairs"] = [p for p in curated["pairs"] if not str(p.get("extends", "")).startswith("selective-dorsal")]
    (faq_copy / "curated.yaml").write_text(yaml.safe_dump(curated, sort_keys=False), "utf-8")
    build(KnowledgeBasePaths.at(faq_copy))
    bot = Chatbot.load(faq_copy)
    assert bot.examples
    assert not [e for e in bot.examples for p in e.pairs if p.startswith("selective-dorsal")]


def test_examples_without_unanswered_questions_are_warned_about(
    faq_copy: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """The answer model learned from questions no passage answers; an older examples file lacks them."""
    with caplog.at_level(logging.WARNING, logger="chatbot.bot"):
        Chatbot.load(faq_copy)
    assert "no questions the documents do not answer" not in caplog.text
    data = yaml.safe_load((faq_copy / "examples.yaml").read_text("utf-8"))
    assert any(not e["pairs"] for e in data["examples"])
    data["examples"] = [e for e in data["examples"] if e["pairs"]]
    (faq_copy / "examples.yaml").write_text(yaml.safe_dump(data, sort_keys=False), "utf-8")
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="chatbot.bot"):
        bot = Chatbot.load(faq_copy)
    assert re.search(r"examples\.yaml has no questions the documents do not answer \(pairs: \[\]\)", caplog.text)
    assert bot.examples and all(e.pairs for e in bot.examples)


def test_the_bot_loads_without_examples(faq_copy: Path) -> None:
    (faq_copy / "examples.yaml").unlink()
    bot = Chatbot.load(faq_copy)
    assert bot.examples == ()
    assert bot.answerer_.examples is None
    assert bot.ask("What are the risks of a percutaneous rhizotomy?").kind in ("answer", "fallback")


def _vectors(texts: dict[str, tuple[np.ndarray, np.ndarray]]) -> Examples:
    examples = [Example(text, (pair,)) for text, pair in (("risk one", "a/risks"), ("risk two", "b/risks"))]
    examples.append(Example("walk", ("a/recovery",)))
    examples.extend(Example(text, ()) for text in texts if text.startswith("unanswered"))
    return Examples(
        examples,
        positions={pair: i for i, pair in enumerate(PAIR_IDS)},
        vectorize=lambda batch: [texts[text] for text in batch],
        prepare=lambda text: text,
    )


def test_votes_follow_the_nearest_examples() -> None:
    unit = np.asarray([1.0])
    examples = _vectors(
        {
            "risk one": (np.asarray([0]), unit),
            "risk two": (np.asarray([0, 1]), np.asarray([0.6, 0.8])),
            "walk": (np.asarray([2]), unit),
        }
    )
    closest, vote, unanswered, unanswered_share = examples.votes(np.asarray([0]), unit, np.asarray([0, 1, 2]))
    assert closest == pytest.approx([1.0, 0.0, 0.6])
    assert vote == pytest.approx([1.0 / 1.6, 0.0, 0.6 / 1.6])
    assert unanswered == unanswered_share == 0.0
    closest, vote, *_ = examples.votes(np.asarray([7]), unit, np.asarray([0, 1, 2]))
    assert closest.tolist() == vote.tolist() == [0.0, 0.0, 0.0]
    kept = examples.without([False, True, True])
    closest, vote, *_ = kept.votes(np.asarray([0]), unit, np.asarray([0, 1, 2]))
    assert closest == pytest.approx([0.0, 0.0, 0.6])
    assert vote == pytest.approx([0.0, 0.0, 1.0])
    assert NEIGHBOURS >= 3


def test_questions_no_passage_answers_vote_for_none() -> None:
    """They take their share of the nearest examples' similarity from every pair, and the closest one's
    similarity is the question's, whichever pair is asked about."""
    unit = np.asarray([1.0])
    examples = _vectors(
        {
            "risk one": (np.asarray([0]), unit),
            "risk two": (np.asarray([1]), unit),
            "walk": (np.asarray([2]), unit),
            "unanswered knee": (np.asarray([0, 3]), np.asarray([0.8, 0.6])),
        }
    )
    assert examples.unanswered_.tolist() == [False, False, False, True]
    votes = examples.votes(np.asarray([0]), unit, np.asarray([0, 1, 2]))
    assert votes.closest == pytest.approx([1.0, 0.0, 0.0])
    assert votes.share == pytest.approx([1.0 / 1.8, 0.0, 0.0])
    assert votes.unanswered == pytest.approx(0.8)
    assert votes.unanswered_share == pytest.approx(0.8 / 1.8)
    alone = examples.without([True, True, True, False]).votes(np.asarray([0]), unit, np.asarray([0, 1, 2]))
    assert alone.share == pytest.approx([1.0, 0.0, 0.0])
    assert alone.unanswered == alone.unanswered_share == 0.0


@pytest.mark.parametrize("seed", range(8))
def test_votes_equal_a_full_sort_and_a_mask_over_every_example(seed: int) -> None:
    """The nearest examples found among the highest only, and each pair's closest from its own
    examples, give the numbers of sorting all examples and masking them per pair: ties (repeated
    and zero similarities) included, with pairs that have no example."""
    rng = np.random.default_rng(seed)
    count, pairs = int(rng.integers(1, 40)), 9
    labels = [
        tuple(str(p) for p in rng.choice(pairs - 2, size=rng.integers(1, 3), replace=False)) for _ in range(count)
    ]
    vectors = [
        (np.asarray([int(rng.integers(0, 4))]), np.asarray([float(rng.choice([0.5, 1.0]))])) for _ in range(count)
    ]
    examples = Examples.from_vectors(
        [Example(f"q{i}", label) for i, label in enumerate(labels)],
        positions={str(p): p for p in range(pairs)},
        vectors=vectors,
    )
    query, weights = np.asarray([0, 1, 2]), rng.uniform(0.1, 1.0, 3).round(1)
    asked = rng.permutation(pairs)
    sims = examples.similarities(query, weights)
    membership = np.zeros((count, pairs), dtype=bool)
    for r, label in enumerate(labels):
        membership[r, [int(p) for p in label]] = True
    nearest = np.argsort(-sims, kind="stable")[:NEIGHBOURS]
    total = sims[nearest].sum()
    closest, vote, *_ = examples.votes(query, weights, asked)
    assert closest.tolist() == np.where(membership[:, asked], sims[:, None], 0.0).max(axis=0).tolist()
    expected = (sims[nearest, None] * membership[nearest][:, asked]).sum(axis=0) / total if total > 0 else 0 * vote
    assert vote.tolist() == expected.tolist()


def test_the_words_patients_use_for_a_passage_are_its_examples_own() -> None:
    """Normalised like a question's words, per labelled pair; a subset of the examples has only its own words."""
    examples = Examples(
        [Example("Can I take Paracetamol?", ("a/risks", "a/recovery")), Example("Ibuprofen after it", ("b/risks",))],
        positions={pair.id: i for i, pair in enumerate(PAIRS)},
        vectorize=lambda texts: [(np.zeros(0, dtype=np.int64), np.zeros(0)) for _ in texts],
        prepare=str,
    )
    paracetamol = {"can", "i", "take", "paracetamol"}
    assert examples.pair_words_ == [paracetamol, paracetamol, {"ibuprofen", "after", "it"}]
    assert examples.without([False, True]).pair_words_ == [set(), set(), {"ibuprofen", "after", "it"}]


def test_no_test_split_question_is_an_example() -> None:
    """The test split is only ever measured: none of its questions may become evidence."""
    examples = read_examples(KB / "examples.yaml", Chatbot.load(KB).pairs)
    assert examples
    bank = read_bank(ROOT / "tests" / "bank")
    assert not {e.text for e in examples} & {q.text for q in bank if q.split == "test"}
    assert {e.text for e in examples} <= {q.text for q in bank if q.split != "test"}


@pytest.mark.parametrize(
    "texts",
    [
        ("how long does the relief last", "can i drive home after the neck burning", "is it safe"),
        ("what are the risks of radiofrequency ablation in my lower back", "zzzz qqqq", ""),
    ],
)
def test_word_vectors_are_the_word_part_of_the_index_vector(texts: tuple[str, ...]) -> None:
    """The examples' vectors (one batch) are the word half of the vector a question is searched
    with, scaled to unit length: the two computations of the TF-IDF weights agree."""
    index = Chatbot.load(KB).index_
    words = len(index.state_.word_terms)
    for text, (features, weights) in zip(texts, index.word_vectors(list(texts)), strict=True):
        full_features, full_weights = index.vector(text)
        in_words = full_features < words
        expected = full_weights[in_words] / (np.linalg.norm(full_weights[in_words]) or 1.0)
        assert features.tolist() == full_features[in_words].tolist()
        assert weights == pytest.approx(expected, abs=1e-12)
        if len(features):
            assert float(weights @ weights) == pytest.approx(1.0)
