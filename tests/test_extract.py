"""Documents → FAQ pairs: patient questions, focused passages in the documents' own words."""

from __future__ import annotations

import re

import pytest
from conftest import DATA, KB

from chatbot.documents import read_documents
from chatbot.extract import extract_pairs, split_sentences

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
