"""The build: deterministic, merges staff edits, all-or-nothing with file:line errors."""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

import pytest
from conftest import DATA, KB

from chatbot import Chatbot, KnowledgeBaseError
from chatbot.build import build, distinct_questions
from chatbot.integrity import seal
from chatbot.normalize import normalize
from chatbot.pairs import Pair
from chatbot.paths import KnowledgeBasePaths
from chatbot.reply import Source
from chatbot.staleness import is_stale


def test_shipped_pairs_file_is_up_to_date(faq_copy: Path) -> None:
    result = build(KnowledgeBasePaths.at(faq_copy))
    assert not result.changed, "faq/pairs.yaml is stale: run `python -m chatbot build`"
    assert (faq_copy / "pairs.yaml").read_bytes() == (KB / "pairs.yaml").read_bytes()


def test_build_is_deterministic(faq_copy: Path) -> None:
    (faq_copy / "pairs.yaml").unlink()
    build(KnowledgeBasePaths.at(faq_copy))
    first = (faq_copy / "pairs.yaml").read_bytes()
    (faq_copy / "pairs.yaml").unlink()
    result = build(KnowledgeBasePaths.at(faq_copy))
    assert result.changed
    assert (faq_copy / "pairs.yaml").read_bytes() == first
    assert result.documents == 5


def test_curated_edits_are_merged_and_never_overwritten(faq_copy: Path) -> None:
    curated = faq_copy / "curated.yaml"
    curated.write_text(
        "pairs:\n"
        "  - extends: cervical-rhizotomy-duration/duration\n"
        "    variants: [how many years will my neck stay pain free]\n"
        "  - extends: percutaneous-rhizotomy/driving\n"
        "    answer: Please arrange for a responsible adult to drive you home; you must not drive that day.\n"
        "  - id: clinic/parking\n"
        "    question: Where do I park for my procedure?\n"
        "    answer: Free parking is in the North garage, level 2.\n",
        encoding="utf-8",
    )
    before = curated.read_bytes()
    build(KnowledgeBasePaths.at(faq_copy))
    assert curated.read_bytes() == before
    bot = Chatbot.load(faq_copy)
    assert "6 months to 3 years" in bot.ask("how many years will my neck stay pain free").text
    driving = bot.ask("can i drive home after percutaneous rhizotomy")
    assert "responsible adult" in driving.text
    parking = bot.ask("where do I park for my procedure?")
    assert parking.kind == "answer"
    assert "North garage" in parking.text
    assert parking.sources[0].title == "Clinic staff"
    assert bot.pair("clinic/parking").origin == "curated"  # type: ignore[union-attr]


BAD_CURATED = [
    ("pairs:\n  - extends: x\n    variants: [a\n", r"curated\.yaml:4: invalid YAML"),
    ("pairs:\n  - id: a\n    question: Q?\n", r"curated\.yaml:2: pair has no 'answer'"),
    ("pairs:\n  - id: a\n    question: Q?\n    anwser: A.\n", r"curated\.yaml:4: unknown field 'anwser' in pair"),
    (
        "pairs:\n  - extends: no/such-pair\n    variants: [x]\n",
        r"curated\.yaml:2: 'extends: no/such-pair' names no built pair",
    ),
    ("pairs:\n  - extends: cervical-neurotomy/recovery\n", r"curated\.yaml:2: pair edit changes nothing"),
    (
        "pairs:\n  - id: cervical-neurotomy/recovery\n    question: Q?\n    answer: A.\n",
        r"curated\.yaml:2: .*already used",
    ),
    ("colour: blue\n", r"curated\.yaml:1: unknown field 'colour' in curated file"),
    ("documents:\n  missing.txt:\n    procedure: x\n", r"curated\.yaml:2: document 'missing\.txt' is not in"),
    (
        "pairs:\n  - id: a\n    question: Q?\n    answer: A.\n  - id: a\n    question: R?\n    answer: B.\n",
        r"curated\.yaml:5: duplicate pair id 'a'",
    ),
]


@pytest.mark.parametrize(("content", "message"), BAD_CURATED)
def test_malformed_curated_file_fails_and_keeps_the_old_pairs(faq_copy: Path, content: str, message: str) -> None:
    (faq_copy / "curated.yaml").write_text(content, encoding="utf-8")
    before = (faq_copy / "pairs.yaml").read_bytes()
    with pytest.raises(KnowledgeBaseError, match=message):
        build(KnowledgeBasePaths.at(faq_copy))
    assert (faq_copy / "pairs.yaml").read_bytes() == before
    assert not list(faq_copy.glob(".pairs.yaml.*"))


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("synonyms.yaml", "cervical: [neck\n", r"synonyms\.yaml:2: invalid YAML"),
        ("synonyms.yaml", "cervical: []\n", r"synonyms\.yaml:1: 'cervical' has no synonyms"),
        ("synonyms.yaml", "cervical: [neck, {a: b}]\n", r"synonyms\.yaml:1: every item of 'cervical'"),
        (
            "clinic.yaml",
            "name: X\nphone_number: 1\n",
            r"clinic\.yaml:2: unknown field 'phone_number' in clinic settings",
        ),
        (
            "clinic.yaml",
            "name: [a, b]\nphone: '303 555 2000'\nurgent_phone: '303 555 2999'\nemergency_number: '911'\n",
            r"clinic\.yaml:1: 'name' in clinic settings must be text",
        ),
    ],
)
def test_malformed_support_files_fail_the_build(faq_copy: Path, name: str, content: str, message: str) -> None:
    (faq_copy / name).write_text(content, encoding="utf-8")
    before = (faq_copy / "pairs.yaml").read_bytes()
    with pytest.raises(KnowledgeBaseError, match=message):
        build(KnowledgeBasePaths.at(faq_copy))
    assert (faq_copy / "pairs.yaml").read_bytes() == before


def test_unreadable_document_fails_the_build(faq_copy: Path) -> None:
    (faq_copy / "documents" / "broken.txt").write_bytes(b"A Title\nGood text here.\n\xc3\x28 bad byte\n")
    before = (faq_copy / "pairs.yaml").read_bytes()
    with pytest.raises(KnowledgeBaseError, match=r"broken\.txt:3: not valid UTF-8"):
        build(KnowledgeBasePaths.at(faq_copy))
    assert (faq_copy / "pairs.yaml").read_bytes() == before


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("pairs:\n  - id: a\n    question: Q?\n    source: {title: T}\n", r"pairs\.yaml:3: pair has no 'answer'"),
        (
            "pairs:\n  - id: a\n    question: Q?\n    answer: A\n    source: {title: T}\n    extra: 1\n",
            r"pairs\.yaml:7: unknown field 'extra'",
        ),
        ("pairs: 3\n", r"pairs\.yaml:2: 'pairs' must be a list"),
        ("", r"pairs\.yaml:1: pairs file must be a mapping"),
    ],
)
def test_malformed_pairs_file_fails_to_load(faq_copy: Path, content: str, message: str) -> None:
    """Sealed with a matching content digest, so what fails is the content (test_failclosed.py breaks the seal)."""
    (faq_copy / "pairs.yaml").write_text(seal(content, pairs=1) + content, encoding="utf-8")
    with pytest.raises(KnowledgeBaseError, match=message):
        Chatbot.load(faq_copy)


def test_missing_pairs_file_says_how_to_build(tmp_path: Path) -> None:
    message = r"pairs\.yaml: no built pairs file: run `python -m chatbot --faq .+ build`"
    with pytest.raises(KnowledgeBaseError, match=message):
        Chatbot.load(tmp_path)


def test_missing_knowledge_base_folder(tmp_path: Path) -> None:
    with pytest.raises(KnowledgeBaseError, match=r"nowhere: knowledge-base folder not found"):
        Chatbot.load(tmp_path / "nowhere")


def test_a_forgotten_build_is_noticed(faq_copy: Path, caplog: pytest.LogCaptureFixture) -> None:
    paths = KnowledgeBasePaths.at(faq_copy)
    build(paths)
    assert not is_stale(paths)
    (paths.documents / "knee.md").write_text((DATA / "genicular-nerve-block.md").read_text("utf-8"), "utf-8")
    assert is_stale(paths)
    with caplog.at_level(logging.WARNING, logger="chatbot"):
        Chatbot.load(faq_copy)
    assert "was not built from the current documents" in caplog.text
    build(paths)
    assert not is_stale(paths)
    paths.curated.write_text(paths.curated.read_text("utf-8") + "\n", "utf-8")
    assert is_stale(paths)


KNEE_INJECTION = (
    "known miss since the model trained with the questions written for training: the right passage"
    " ranks first (0.75) but below the threshold; the two models before it answered it"
)
NEW_DOCUMENT_QUESTIONS = [
    ("how long does the relief from a genicular nerve block last", ("three months",)),
    pytest.param(
        "can i eat before the knee injection",
        ("light meal",),
        marks=pytest.mark.xfail(
            strict=True, reason="known miss since the model trained on the sixth to eighth batches: declined"
        ),
    ),
    ("what are the side effects of a genicular nerve block", ("Bruising",)),
    ("how is a genicular nerve block done", ("ultrasound",)),
    pytest.param(
        "do i need to stop blood thinners before the genicular nerve block",
        ("blood thinners",),
        marks=pytest.mark.xfail(
            strict=True,
            reason="known miss since the model trained on the ninth and eleventh batches: the right passage"
            " ranks first (0.49) but below the threshold",
        ),
    ),
    pytest.param(
        "what should i wear for the knee injection",
        ("loose trousers",),
        marks=pytest.mark.xfail(strict=True, reason=KNEE_INJECTION),
    ),
    ("what is a genicular nerve block", ("sensory nerves around the knee",)),
    ("recovery after genicular nerve block", ("thirty minutes",)),
]


@pytest.fixture(scope="module")
def knee_bot(tmp_path_factory: pytest.TempPathFactory) -> Chatbot:
    """A knowledge base of one document nobody tuned the extractor for."""
    root = tmp_path_factory.mktemp("knee")
    (root / "documents").mkdir()
    shutil.copy(DATA / "genicular-nerve-block.md", root / "documents")
    shutil.copy(KB / "synonyms.yaml", root)
    shutil.copy(KB / "clinic.yaml", root)
    build(KnowledgeBasePaths.at(root))
    return Chatbot.load(root)


@pytest.mark.parametrize(("question", "facts"), NEW_DOCUMENT_QUESTIONS)
def test_new_document_is_answerable(knee_bot: Chatbot, question: str, facts: tuple[str, ...]) -> None:
    reply = knee_bot.ask(question)
    assert reply.kind == "answer", (question, reply.text)
    for fact in facts:
        assert fact.lower() in reply.text.lower(), (question, reply.text)
    assert reply.sources[0].title == "Genicular Nerve Block for Knee Pain"
    assert reply.sources[0].document == "genicular-nerve-block.md"


def test_new_document_still_falls_back_on_what_it_does_not_say(knee_bot: Chatbot) -> None:
    assert knee_bot.ask("How much does a genicular nerve block cost?").kind == "fallback"
    assert knee_bot.ask("What is a cervical rhizotomy?").kind == "fallback"


def test_new_document_cleaning(knee_bot: Chatbot) -> None:
    assert all("Genicular Nerve Block for Knee Pain" not in p.answer for p in knee_bot.pairs)
    assert any(
        p.answer.startswith("Serious problems are uncommon. Possible side effects include:") for p in knee_bot.pairs
    )


def _leaflet_pair(document: str, title: str, question: str, *variants: str) -> Pair:
    return Pair(
        f"{document}/recovery",
        question,
        f"Recovery after it, as {title} says.",
        Source(title, f"{document}.md"),
        variants=variants,
        procedure="cervical rhizotomy",
        topic="recovery",
    )


def test_two_leaflets_on_one_procedure_give_their_passages_questions_of_their_own() -> None:
    first = _leaflet_pair(
        "neurotomy",
        "Cervical Neurotomy",
        "What is recovery like after cervical rhizotomy?",
        "How long does it take to recover from cervical rhizotomy?",
        "Recovery and aftercare",
    )
    second = _leaflet_pair(
        "neck",
        "The Neck Procedure",
        "What is recovery like after cervical rhizotomy?",
        "How long does it take to recover from cervical rhizotomy?",
        "After the operation",
    )
    kept, renamed = distinct_questions([first, second])
    assert kept == first
    assert renamed.question == "What is recovery like after cervical rhizotomy (The Neck Procedure)?"
    assert renamed.variants == ("After the operation",)  # the taken phrasing stays with the first pair
    assert renamed.phrasings == (renamed.question, "After the operation")
    phrasings = [normalize(text) for pair in (kept, renamed) for text in pair.phrasings]
    assert len(phrasings) == len(set(phrasings))


def test_every_pair_of_the_built_knowledge_base_has_its_own_question(bot: Chatbot) -> None:
    phrasings = [normalize(text) for pair in bot.pairs if pair.origin == "document" for text in pair.phrasings]
    assert len(phrasings) == len(set(phrasings))
    for pair in bot.pairs:
        reply = bot.ask(pair.question)
        assert (reply.kind, reply.pair_id) == ("answer", pair.id), pair.question
