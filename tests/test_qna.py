"""QnA Maker TSV export and import: a round trip keeps every question, phrasing and answer."""

from __future__ import annotations

from pathlib import Path

import pytest
from clirun import run_cli
from conftest import KB

from chatbot import Chatbot, KnowledgeBaseError
from chatbot.build import build
from chatbot.curated import read_curated
from chatbot.pairs import Pair, read_pairs
from chatbot.paths import KnowledgeBasePaths
from chatbot.qna import COLUMNS, export_qna, import_qna, parse_qna
from chatbot.reply import Source

HEADER = "\t".join(COLUMNS) + "\n"


run = run_cli


def test_export_then_parse_keeps_every_question_phrasing_and_answer(tmp_path: Path) -> None:
    pairs = read_pairs(KB / "pairs.yaml")
    awkward = Pair(
        id="clinic/awkward",
        question="Tabs\tand back\\slashes?",
        variants=("A second way to ask", "A third, with \\n in it"),
        answer="Line one.\n- item with a\ttab\n- C:\\path\\new",
        source=Source("Clinic staff", ""),
    )
    path = tmp_path / "kb.tsv"
    path.write_text(export_qna([*pairs, awkward]), encoding="utf-8")
    entries = parse_qna(path)
    assert [(e.question, e.variants, e.answer) for e in entries] == [
        (p.question, p.variants, p.answer) for p in [*pairs, awkward]
    ]
    assert any("\n" in p.answer for p in pairs), "the test knowledge base has multi-line answers"
    lines = path.read_text("utf-8").splitlines()
    assert lines[0].split("\t") == list(COLUMNS)
    assert len(lines) == 1 + sum(len(p.phrasings) for p in [*pairs, awkward])
    assert all(len(line.split("\t")) == len(COLUMNS) for line in lines)


def test_export_row_layout() -> None:
    result = run("--faq", str(KB), "export", "--format", "qna")
    assert result.returncode == 0, result.stderr
    first = result.stdout.splitlines()[1].split("\t")
    pair = read_pairs(KB / "pairs.yaml")[0]
    assert first[0] == pair.question
    assert first[2] == pair.source.document
    assert first[3] == f"pair_id:{pair.id}|topic:{pair.topic}|procedure:{pair.procedure}|tag:{pair.tags[0]}"
    assert first[4:] == ["[]", "False", "[]", "1"]


def test_import_of_an_export_round_trips_into_curated(faq_copy: Path) -> None:
    exported = faq_copy.parent / "export.tsv"
    assert run("--faq", str(faq_copy), "export", "-o", str(exported)).returncode == 0
    before = (faq_copy / "curated.yaml").read_text("utf-8")
    result = run("--faq", str(faq_copy), "import", str(exported))
    assert result.returncode == 0, result.stderr
    pairs = read_pairs(faq_copy / "pairs.yaml")
    assert f"added {len(pairs)} pairs" in result.stdout
    after = (faq_copy / "curated.yaml").read_text("utf-8")
    assert after.startswith(before.rstrip("\n")), "hand edits and comments are kept"
    imported = [pair for pair, _ in read_curated(faq_copy / "curated.yaml").new_pairs]
    assert [(p.question, p.variants, p.answer) for p in imported] == [(p.question, p.variants, p.answer) for p in pairs]
    assert all(p.id.startswith("qna/") and p.origin == "curated" for p in imported)
    assert build(KnowledgeBasePaths.at(faq_copy)).pairs == 2 * len(pairs)


def test_a_clinic_spreadsheet_becomes_answerable(faq_copy: Path) -> None:
    sheet = faq_copy.parent / "front-desk.csv"
    sheet.write_text(
        "Question,Answer,Source\n"
        "Where do I park for my appointment?,Free parking is in the blue garage on Elm Street.,Editorial\n"
        "Is there parking at the clinic?,Free parking is in the blue garage on Elm Street.,Editorial\n"
        '"Can I bring someone with me?","Yes, one adult may come with you, and\nthey can wait in the lounge.",\n',
        encoding="utf-8",
    )
    assert import_qna(sheet, KnowledgeBasePaths.at(faq_copy)) == [
        "qna/where-do-i-park-for-my-appointment",
        "qna/can-i-bring-someone-with-me",
    ]
    parking, company = (pair for pair, _ in read_curated(faq_copy / "curated.yaml").new_pairs)
    assert parking.variants == ("Is there parking at the clinic?",)
    assert parking.source.title == "Clinic staff"
    assert company.answer == "Yes, one adult may come with you, and\nthey can wait in the lounge."
    build(KnowledgeBasePaths.at(faq_copy))
    reply = Chatbot.load(faq_copy).ask("Is there parking at the clinic")
    assert reply.kind == "answer"
    assert "blue garage" in reply.text


def test_import_keeps_a_curated_file_whose_pairs_come_first(faq_copy: Path) -> None:
    curated = faq_copy / "curated.yaml"
    curated.write_text(
        "# my notes\npairs:\n- extends: cervical-neurotomy/benefits\n  variants: [Does neurotomy help?]\n"
        "documents:\n  rhizotomy-neck-risks-recovery.txt:\n    procedure: cervical rhizotomy\n",
        encoding="utf-8",
    )
    sheet = faq_copy.parent / "one.tsv"
    sheet.write_text("Question\tAnswer\nWhere do I park?\tIn the blue garage.\n", encoding="utf-8")
    import_qna(sheet, KnowledgeBasePaths.at(faq_copy))
    text = curated.read_text("utf-8")
    assert text.startswith("# my notes\npairs:\n- extends: cervical-neurotomy/benefits\n")
    assert text.endswith("documents:\n  rhizotomy-neck-risks-recovery.txt:\n    procedure: cervical rhizotomy\n")
    parsed = read_curated(curated)
    assert [p.question for p, _ in parsed.new_pairs] == ["Where do I park?"]
    assert len(parsed.extensions) == 1
    assert parsed.documents["rhizotomy-neck-risks-recovery.txt"].procedure == "cervical rhizotomy"


BAD_ROWS = [
    ("q.tsv", "", r"q\.tsv:1: file is empty"),
    ("q.tsv", "Q\tA\nHi\tHello\n", r"q\.tsv:1: the first row must name the columns .*: no 'Question'"),
    ("q.tsv", "Question\tAnswer\nHi\tHello\n\tNo question\n", r"q\.tsv:3: empty Question"),
    ("q.tsv", "Question\tAnswer\nHi\tHello\nBye\t \n", r"q\.tsv:3: empty Answer"),
    ("q.tsv", "Question\tAnswer\nHi\tHello\textra\n", r"q\.tsv:2: 3 columns, but the header names 2"),
    ("q.tsv", "Question\tAnswer\tQnaId\nHi\tHello\t1\nHey\tBye\t1\n", r"q\.tsv:3: QnaId 1 has a different answer"),
    ("q.tsv", "Question\tAnswer\tMetadata\nHi\tHello\ttopic\n", r"q\.tsv:2: metadata 'topic' is not key:value"),
    ("q.csv", 'Question,Answer\n"Hi,Hello\n', r"q\.csv:\d+: not a readable CSV file"),
]


@pytest.mark.parametrize(("name", "content", "message"), BAD_ROWS)
def test_bad_rows_are_reported_by_line_and_nothing_is_written(
    faq_copy: Path, name: str, content: str, message: str
) -> None:
    path = faq_copy.parent / name
    path.write_text(content, encoding="utf-8")
    before = (faq_copy / "curated.yaml").read_bytes()
    with pytest.raises(KnowledgeBaseError, match=message):
        import_qna(path, KnowledgeBasePaths.at(faq_copy))
    assert (faq_copy / "curated.yaml").read_bytes() == before


def test_importing_the_same_question_twice_is_refused(faq_copy: Path) -> None:
    sheet = faq_copy.parent / "one.tsv"
    sheet.write_text("Question\tAnswer\nWhere do I park?\tIn the blue garage.\n", encoding="utf-8")
    import_qna(sheet, KnowledgeBasePaths.at(faq_copy))
    before = (faq_copy / "curated.yaml").read_bytes()
    result = run("--faq", str(faq_copy), "import", str(sheet))
    assert result.returncode == 2
    assert result.stderr.startswith(f"error: {sheet}:2: question already in curated.yaml (line ")
    assert (faq_copy / "curated.yaml").read_bytes() == before
