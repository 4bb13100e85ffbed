"""The stored examples (``examples.npz``): what reading ``examples.yaml`` gives, used only while current.

The file only saves a start the work of parsing ``examples.yaml`` and vectorising every example.
These tests hold the two paths to identical results, check that a load with a current file does
not read the YAML at all, and that every change to what the vectors depend on (the examples, the
synonyms, a labelled passage) or a damaged file sends the load back to ``examples.yaml``.
"""

from __future__ import annotations

import dataclasses
import logging
import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from conftest import KB, ROOT

import chatbot.bot
import chatbot.classifier
import chatbot.examplefile
from chatbot import Chatbot
from chatbot.answerer import meaning_texts
from chatbot.arrayfile import cut_at
from chatbot.build import build, build_example_vectors
from chatbot.classifier import QuestionClassifier
from chatbot.embedding import Embedder
from chatbot.examplefile import read_example_vectors
from chatbot.examples import Examples, read_examples
from chatbot.fixes import add_phrasing
from chatbot.indexfile import read_index
from chatbot.pairs import read_pairs
from chatbot.paths import KnowledgeBasePaths, read_support

SDR = "selective-dorsal-rhizotomy/what-is"
QUESTIONS = (
    "how long does the relief last",
    "my mum is having the heat needle thing in her neck, can she drive home after",
    "is it safe",
    "wat are the risks of sdr for my son",
    "can i take paracetamol afterwards",
)


def _stored(folder: Path) -> Examples | None:
    paths = KnowledgeBasePaths.at(folder)
    pairs = read_pairs(paths.pairs)
    return read_example_vectors(paths, read_index(paths.index).fingerprint, pairs)


def _same(stored: Examples, read: Examples) -> bool:
    return (
        stored.examples == read.examples
        and len(stored.vectors_) == len(read.vectors_)
        and all(
            np.array_equal(f, g) and np.array_equal(w, v)
            for (f, w), (g, v) in zip(stored.vectors_, read.vectors_, strict=True)
        )
        and all(np.array_equal(a, b) for a, b in zip(stored.labels_, read.labels_, strict=True))
        and _same_classifier(stored.classifier_, read.classifier_)
    )


def _same_classifier(stored: QuestionClassifier | None, fitted: QuestionClassifier | None) -> bool:
    """The stored classifier is the one a fit on the same examples gives (to the solver's
    precision: another machine's BLAS may round the last bits differently)."""
    if stored is None or fitted is None:
        return stored is fitted
    return (
        stored.vocabularies == fitted.vocabularies
        and np.array_equal(stored.classes, fitted.classes)
        and np.allclose(stored.idf, fitted.idf)
        and np.allclose(stored.coef, fitted.coef, atol=1e-3)
        and np.allclose(stored.intercept, fitted.intercept, atol=1e-3)
    )


@pytest.fixture
def yaml_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """Loads that find no usable ``examples.npz`` fail here, so a test sees which path a load took."""

    def refuse(*args: object) -> None:
        raise AssertionError("examples.yaml was read")

    monkeypatch.setattr(chatbot.bot, "read_examples", refuse)


@pytest.mark.parametrize("folder", [KB, ROOT / "faq"], ids=["test knowledge base", "shipped"])
def test_the_committed_file_holds_what_reading_the_yaml_gives(folder: Path) -> None:
    stored = _stored(folder)
    assert stored is not None, f"{folder / 'examples.npz'} is stale: run `python -m chatbot build`"
    paths = KnowledgeBasePaths.at(folder)
    pairs = read_pairs(paths.pairs)
    read = Chatbot.load(folder, examples=read_examples(paths.examples, pairs)).answerer_.examples
    assert read is not None and len(read.examples) > 1000
    assert _same(stored, read)


def test_a_current_file_is_used_and_answers_the_same(bot: Chatbot, yaml_only: None) -> None:
    fast = Chatbot.load(KB)
    assert fast.examples == bot.examples
    for question in QUESTIONS:
        mine, theirs = fast.ask(question), bot.ask(question)
        assert (mine.kind, mine.text, mine.confidence) == (theirs.kind, theirs.text, theirs.confidence), question


@pytest.mark.parametrize(
    ("file", "edit"),
    [
        ("examples.yaml", lambda text: text + f"- q: can my dog come along\n  pairs: [{SDR}]\n"),
        ("synonyms.yaml", lambda text: text + "physiotherapy: [physio]\n"),
    ],
    ids=["a clinic's new example", "a new lay word"],
)
def test_an_edit_it_depends_on_sends_the_load_to_the_yaml(faq_copy: Path, file: str, edit: object) -> None:
    path = faq_copy / file
    path.write_text(edit(path.read_text(encoding="utf-8")), encoding="utf-8")  # type: ignore[operator]
    assert _stored(faq_copy) is None
    loaded = Chatbot.load(faq_copy)
    paths = KnowledgeBasePaths.at(faq_copy)
    assert loaded.examples == read_examples(paths.examples, loaded.pairs)
    assert build_example_vectors(paths, loaded.pairs, synonyms=read_support(paths).synonyms)
    assert _stored(faq_copy) is not None, "the build makes it current again"


def test_a_changed_passage_makes_it_stale(faq_copy: Path) -> None:
    """A label holds only while its passage is unchanged: the key covers every pair's passage."""
    paths = KnowledgeBasePaths.at(faq_copy)
    pairs = read_pairs(paths.pairs)
    fingerprint = read_index(paths.index).fingerprint
    assert read_example_vectors(paths, fingerprint, pairs) is not None
    edited = [dataclasses.replace(pairs[0], answer=pairs[0].answer + " More."), *pairs[1:]]
    assert read_example_vectors(paths, fingerprint, edited) is None
    assert read_example_vectors(paths, "another index", pairs) is None


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (lambda data: data[: len(data) // 2], r"examples\.npz: not a readable examples file \(BadZipFile\)"),
        (lambda data: b"", r"examples\.npz: not a readable examples file"),
    ],
    ids=["cut short", "empty"],
)
def test_a_damaged_file_is_reported_and_the_yaml_read(
    faq_copy: Path, damage: object, message: str, caplog: pytest.LogCaptureFixture
) -> None:
    path = faq_copy / "examples.npz"
    path.write_bytes(damage(path.read_bytes()))  # type: ignore[operator]
    with caplog.at_level(logging.WARNING):
        loaded = Chatbot.load(faq_copy)
    assert len(loaded.examples) > 1000
    assert any(re.search(message + r".*; reading examples\.yaml instead$", r.getMessage()) for r in caplog.records)


def test_a_build_writes_a_damaged_file_again_and_says_so(faq_copy: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = faq_copy / "examples.npz"
    good = path.read_bytes()
    path.write_bytes(good[: len(good) // 2])
    with caplog.at_level(logging.WARNING):
        assert build(KnowledgeBasePaths.at(faq_copy)).changed
    assert path.read_bytes() == good
    assert "not a readable examples file (BadZipFile): cut short or damaged; writing it again" in caplog.text
    assert "instead" not in caplog.text and "run `python -m chatbot build`" not in caplog.text


def test_the_build_writes_it_once_and_removes_it_with_the_examples(faq_copy: Path) -> None:
    paths = KnowledgeBasePaths.at(faq_copy)
    (faq_copy / "examples.npz").unlink()
    assert build(paths).changed
    first = (faq_copy / "examples.npz").read_bytes()
    assert not build(paths).changed
    assert (faq_copy / "examples.npz").read_bytes() == first
    (faq_copy / "examples.yaml").unlink()
    assert build(paths).changed
    assert not (faq_copy / "examples.npz").exists()
    assert Chatbot.load(faq_copy).examples == ()


def test_a_build_keeps_the_stored_classifier_until_the_examples_change(
    faq_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Staff who add a phrasing wait for the build: the classifier (tens of seconds to fit on the
    shipped examples) depends only on the examples, so a new phrasing keeps the stored one."""
    paths = KnowledgeBasePaths.at(faq_copy)
    before = _stored(faq_copy)
    assert before is not None and before.classifier_ is not None and before.classifier_.fitted_on
    fits: list[int] = []
    fit = QuestionClassifier._fit

    def counted(*args: object) -> QuestionClassifier | None:
        fits.append(1)
        return fit(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(QuestionClassifier, "_fit", counted)
    chatbot.classifier._fitted.cache_clear()  # a fit another test made in this process must not hide a refit
    add_phrasing(paths, "cervical-rhizotomy-duration/duration", "how long will the nerve zapping keep working for me")
    assert build(paths).changed
    after = _stored(faq_copy)
    assert after is not None and after.classifier_ is not None, "the new phrasing made the file current again"
    assert fits == [], "the classifier was fitted again though its examples did not change"
    assert _same_classifier(after.classifier_, before.classifier_)
    assert after.classifier_.fitted_on == before.classifier_.fitted_on

    path = faq_copy / "examples.yaml"
    path.write_text(path.read_text(encoding="utf-8") + f"- q: can my dog come along\n  pairs: [{SDR}]\n", "utf-8")
    assert build(paths).changed
    changed = _stored(faq_copy)
    assert fits == [1], "a new example is learned from"
    assert changed is not None and changed.classifier_ is not None
    assert changed.classifier_.fitted_on != before.classifier_.fitted_on


def test_a_leftover_file_without_examples_is_not_used(faq_copy: Path) -> None:
    shutil.move(faq_copy / "examples.yaml", faq_copy.parent / "examples.yaml")
    assert _stored(faq_copy) is None
    assert Chatbot.load(faq_copy).examples == ()


# -- the answerer's vectors in meaning, stored with the examples (format 2) -------------------------


def _embedded_at_load(folder: Path) -> Chatbot:
    """A load that embeds every text itself, with the whole tokenizer (what a start did before format 2)."""
    paths = KnowledgeBasePaths.at(folder)
    return Chatbot.load(folder, examples=read_examples(paths.examples, read_pairs(paths.pairs)))


@pytest.mark.parametrize("folder", [KB, ROOT / "faq"], ids=["test knowledge base", "shipped"])
def test_the_stored_meanings_are_what_a_load_would_embed(folder: Path) -> None:
    """Bit for bit: the vectors, the examples' normalised words, and each stored word's ids."""
    fast, slow = Chatbot.load(folder).answerer_, _embedded_at_load(folder).answerer_
    assert fast.embedder.words is not None and slow.embedder.words is None, "the load used the stored vectors"
    assert fast.meaning_vectors_.keys() == slow.meaning_vectors_.keys()
    for name, vectors in fast.meaning_vectors_.items():
        assert np.array_equal(vectors, slow.meaning_vectors_[name]), name
    assert fast.examples is not None and slow.examples is not None
    assert np.array_equal(fast.examples.unanswered_, slow.examples.unanswered_)
    positions = range(len(fast.pairs))
    assert all(map(np.array_equal, fast.examples.labelled_with(positions), slow.examples.labelled_with(positions)))
    assert fast.examples.pair_words_ == slow.examples.pair_words_
    tokenizer = slow.embedder.tokenizer
    words = fast.embedder.words.ids
    assert len(words) > 1000
    assert all(tuple(tokenizer.encode(w, add_special_tokens=False).ids) == ids for w, ids in words.items())  # type: ignore[attr-defined]


def test_a_question_of_known_words_needs_no_tokenizer_and_others_get_the_tokenizers_ids(bot: Chatbot) -> None:
    """The stored words stand for the tokenizer only where they are its own: a text with an unknown
    word or a special token's text gets exactly the whole tokenizer's ids."""
    embedder = bot.answerer_.embedder
    assert embedder.words is not None
    known = "how long does the relief last"
    assert all(word in embedder.words.ids for word in known.split())
    whole = Embedder(embedder.table, Embedder.shared().tokenizer)
    texts = [known, "how long does the zqxjv last", "a <s> b", "relief ", " relief", "", "fluffernutter relief"]
    assert embedder.token_ids(texts) == whole.token_ids(texts)
    assert np.array_equal(embedder.embed(texts), whole.embed(texts))


def test_a_load_with_known_words_does_not_read_the_tokenizer() -> None:
    """A command-line question of known words never reads the tokenizer (a seventh of a second)."""
    code = (
        "import sys\n"
        "import chatbot.embedding as e\n"
        "from chatbot import Chatbot\n"
        "def refuse(): raise AssertionError('the tokenizer was read')\n"
        "e._shared_tokenizer = refuse\n"
        f"bot = Chatbot.load({str(KB)!r})\n"
        "assert bot.ask('how long does the relief last').kind == 'answer'\n"
        "assert 'tokenizers' not in sys.modules\n"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr


def test_another_tokenizer_makes_the_load_embed_itself(
    faq_copy: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture, yaml_only: None
) -> None:
    """Stale side: the stored vectors were made with another tokenizer file, so they are not used
    (the examples' own vectors still are) and the load embeds every text itself."""
    monkeypatch.setattr(chatbot.examplefile, "tokenizer_digest", lambda: "another tokenizer")
    with caplog.at_level(logging.INFO, logger="chatbot.examplefile"):
        loaded = Chatbot.load(faq_copy)
    assert loaded.answerer_.embedder.words is None
    assert "made with another WordLlama tokenizer or table" in caplog.text
    slow = _embedded_at_load(faq_copy).answerer_
    for name, vectors in loaded.answerer_.meaning_vectors_.items():
        assert np.array_equal(vectors, slow.meaning_vectors_[name]), name


def test_another_table_makes_the_load_embed_itself(faq_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Stale side: a row the stored vectors were summed from differs in the installed table, so
    the load embeds with the table it has; the build stores vectors of that table again."""
    shared = Embedder.shared()
    assert shared.words is None
    used = Chatbot.load(faq_copy).answerer_.embedder.words
    assert used is not None
    row = used.ids["relief"][0]
    table = np.array(shared.table)
    table[row] += np.float16(0.5)
    other = Embedder(table, shared.tokenizer, by_word=True)
    monkeypatch.setattr(Embedder, "shared", classmethod(lambda cls: other))
    loaded = Chatbot.load(faq_copy).answerer_
    assert loaded.embedder.words is None and loaded.embedder.table is table
    _, texts = meaning_texts(loaded.pairs, loaded.index, loaded.examples.examples)  # type: ignore[union-attr]
    assert np.array_equal(loaded.meaning_vectors_["phrasing"], other.embed(texts["phrasing"]))
    paths = KnowledgeBasePaths.at(faq_copy)
    assert build_example_vectors(paths, loaded.pairs, synonyms=read_support(paths).synonyms)
    rebuilt = Chatbot.load(faq_copy).answerer_
    assert rebuilt.embedder.words is not None
    assert np.array_equal(rebuilt.meaning_vectors_["asked"], loaded.meaning_vectors_["asked"])


def test_stored_meanings_that_do_not_fit_the_texts_are_not_used(faq_copy: Path) -> None:
    """Vectors for another number of texts than the load's (a file that passed its checks but was
    written for other texts) are never used: the answerer embeds the texts itself."""
    stored = _stored(faq_copy)
    assert stored is not None and stored.meanings_ is not None
    vectors = dict(stored.meanings_.vectors)
    vectors["sentence"] = vectors["sentence"][:-1]
    short = Examples.from_vectors(
        stored.examples,
        positions={pair.id: i for i, pair in enumerate(read_pairs(faq_copy / "pairs.yaml"))},
        vectors=stored.vectors_,
        meanings=dataclasses.replace(stored.meanings_, vectors=vectors),
    )
    loaded = Chatbot.load(faq_copy, examples=short).answerer_
    assert loaded.embedder.words is None
    assert len(loaded.meaning_vectors_["sentence"]) == len(vectors["sentence"]) + 1


def test_cut_at_gives_back_the_parts_stored_one_after_another() -> None:
    assert cut_at("abcdef", [1, 1, 4, 6]) == ["a", "", "bcd", "ef"]
    assert cut_at([1, 2, 3], np.asarray([2, 3])) == [[1, 2], [3]]
    parts = cut_at(np.arange(5), np.asarray([0, 5]))
    assert [part.tolist() for part in parts] == [[], [0, 1, 2, 3, 4]]
    assert cut_at("", []) == []
