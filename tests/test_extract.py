"""Documents → FAQ pairs: patient questions, focused passages in the documents' own words."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import DATA, KB, ROOT

from chatbot.documents import read_documents
from chatbot.extract import extract_pairs, split_sentences
from chatbot.pairs import read_pairs
from chatbot.topics import GROUPS

DOCUMENTS = read_documents(KB / "documents")
PAIRS = [pair for doc in DOCUMENTS for pair in extract_pairs(doc)]
QUESTIONS = {p.question for p in PAIRS}


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def test_every_answer_is_the_documents_own_words() -> None:
    by_file = {d.file: _squash(" ".join([*(b.text for b in d.blocks)])) for d in DOCUMENTS}
    for pair in PAIRS:
        for line in pair.answer.splitlines():
            for sentence in split_sentences(line):
                assert _squash(sentence) in by_file[pair.source.document], (pair.id, sentence)


def test_answers_are_focused_passages() -> None:
    for pair in PAIRS:
        words = len(pair.answer.split())
        if "\n- " in pair.answer or pair.answer.startswith("- "):
            assert words <= 150, pair.id
        else:
            assert words <= 120, (pair.id, words)
            assert 1 <= len(split_sentences(pair.answer)) <= 5, pair.id


@pytest.mark.parametrize(
    "question",
    [
        "Who qualifies for a percutaneous rhizotomy?",  # question heading, kept
        "How does cervical neurotomy work?",  # question heading, sentence case
        "Is cervical neurotomy right for me?",  # "for you" heading in the patient's voice
        "What is recovery like after cervical neurotomy?",  # topic heading → natural question
        "How do I prepare for percutaneous rhizotomy?",  # topic heading → natural question
        "How long does the pain relief from cervical rhizotomy last?",  # statement → question
        "Can the pain come back after cervical rhizotomy?",  # statement → question
        "What are the risks of the rhizotomy neck procedure?",  # statement → question
        "What is selective dorsal rhizotomy?",  # alias from a definition
    ],
)
def test_questions_patients_ask(question: str) -> None:
    phrasings = {ph for p in PAIRS for ph in p.phrasings}
    assert question in phrasings


def test_statement_question_gets_the_right_passage() -> None:
    pair = next(p for p in PAIRS if p.question == "How long does the pain relief from cervical rhizotomy last?")
    assert "6 months to 3 years" in pair.answer
    assert pair.source.title == "Duration of Cervical Rhizotomy Effects"


@pytest.mark.parametrize("folder", [KB, ROOT / "faq"], ids=["test knowledge base", "shipped"])
def test_no_phrasing_is_shared_by_passages_of_different_kinds(folder: Path) -> None:
    """Asked word for word, a phrasing is answered by its pair (an exact match), the first of the
    pairs that share it. Two documents' passages on the same kind of thing may share one ("what
    is recovery like after cervical rhizotomy?"), but not passages on different kinds: the
    definition of chronic neck pain once got "How long does the pain relief from cervical
    rhizotomy last?" because it speaks of "a more lasting solution" (once the build had named
    both documents' procedure cervical rhizotomy), and answered the document's main question."""
    groups: dict[str, set[str]] = {}
    for pair in read_pairs(folder / "pairs.yaml"):
        for phrasing in (pair.question, *pair.variants):
            groups.setdefault(phrasing.lower(), set()).add(GROUPS.get(pair.topic or "", pair.id))
    mixed = {phrasing: found for phrasing, found in groups.items() if len(found) > 1}
    assert not mixed, mixed


@pytest.mark.parametrize(
    ("pair_id", "absent"),
    [("cervical-neurotomy/what-is", "how long"), ("cervical-neurotomy/what-is", "last?")],
)
def test_a_definition_gets_no_question_of_another_kind(pair_id: str, absent: str) -> None:
    pair = next(p for p in PAIRS if p.id == pair_id)
    assert pair.question == "What is chronic neck pain?"
    assert not [v for v in pair.variants if absent in v.lower()], pair.variants


def test_table_becomes_an_answer() -> None:
    pair = next(p for p in PAIRS if "Immediate Pain Relief" in p.answer)
    assert "- Minimally Invasive: Small incisions" in pair.answer
    assert "Immediate pain relief" in pair.variants


def test_ids_are_unique_and_stable() -> None:
    ids = [p.id for p in PAIRS]
    assert len(ids) == len(set(ids))
    assert "cervical-rhizotomy-duration/duration" in ids
    assert all(re.fullmatch(r"[a-z0-9-]+/[a-z0-9-]+", i) for i in ids)


def test_every_pair_names_its_source() -> None:
    titles = {d.title for d in DOCUMENTS}
    for pair in PAIRS:
        assert pair.source.title in titles
        assert pair.source.document.endswith(".txt")
        assert pair.line > 0


def test_an_untuned_home_care_sheet() -> None:
    """A sheet written by a clinic (tests/data/home-care.md): each section gets a question it answers."""
    doc = next(d for d in read_documents(DATA) if d.file == "home-care.md")
    questions = {pair.source.section: pair.question for pair in extract_pairs(doc)}
    assert questions["Can I shower after my rhizotomy?"] == "Can I shower after my rhizotomy?"
    assert questions["Returning to work"] == "When can I go back to work and normal activities after rhizotomy?"
    assert questions["Driving"] == "Can I drive home after rhizotomy?"
