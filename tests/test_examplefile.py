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
from pathlib import Path

import numpy as np
import pytest
from conftest import KB, ROOT

import chatbot.bot
from chatbot import Chatbot
from chatbot.build import build, build_example_vectors
from chatbot.examplefile import read_example_vectors
from chatbot.examples import Examples, read_examples
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
    assert any(re.search(message, r.getMessage()) for r in caplog.records), caplog.text


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


def test_a_leftover_file_without_examples_is_not_used(faq_copy: Path) -> None:
    shutil.move(faq_copy / "examples.yaml", faq_copy.parent / "examples.yaml")
    assert _stored(faq_copy) is None
    assert Chatbot.load(faq_copy).examples == ()
