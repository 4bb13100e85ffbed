"""Cleaning the clinic's messy web-page documents without changing their words."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import KB

from chatbot.documents import read_document, read_documents
from chatbot.errors import KnowledgeBaseError

DOCS = KB / "documents"


def _text(name: str) -> str:
    doc = read_document(DOCS / name)
    return "\n".join([*doc.headings, *(b.text for b in doc.blocks)])


def test_glued_title_copies_are_removed() -> None:
    text = _text("rhizotomy-neck-risks-recovery.txt")
    assert "Risks Recovery" not in text
    assert "Risks & Recovery" not in text
    assert text.startswith("A rhizotomy neck procedure is a specialized surgical intervention")


def test_heading_that_contains_the_title_is_kept() -> None:
    doc = read_document(DOCS / "percutaneous-rhizotomy.txt")
    assert "Advantages of Percutaneous Rhizotomy Procedure" in doc.headings
    assert all(not b.text.startswith("Percutaneous Rhizotomy Procedure ") for b in doc.blocks)


def test_foreign_language_footer_is_removed() -> None:
    text = _text("selective-dorsal-rhizotomy.txt")
    assert "Ne Demek" not in text
    assert "iletisim" not in text
    assert text.rstrip().endswith("suitable treatment option for their specific condition.")


def test_word_broken_across_lines_is_rejoined() -> None:
    text = _text("percutaneous-rhizotomy.txt")
    assert "prepare you for your rhizotomy, ensuring a smooth procedure" in text
    assert "rhizotom\n" not in text


def test_list_stays_with_its_lead_in_sentence() -> None:
    doc = read_document(DOCS / "percutaneous-rhizotomy.txt")
    lists = [b for b in doc.blocks if b.kind == "list"]
    side_effects = next(b for b in lists if "side effects of rhizotomy" in b.text)
    assert side_effects.lines[0].endswith("such as:")
    assert "- Bleeding or hematoma development" in side_effects.lines


def test_tables_become_readable_rows() -> None:
    doc = read_document(DOCS / "percutaneous-rhizotomy.txt")
    tables = [b for b in doc.blocks if b.kind == "table"]
    assert len(tables) == 3
    assert "- Immediate Pain Relief: Neutralizes targeted nerves" in tables[0].text
    assert "|" not in tables[0].text


@pytest.mark.parametrize(
    ("name", "title"),
    [
        ("cervical-rhizotomy-duration.txt", "Duration of Cervical Rhizotomy Effects"),
        ("rhizotomy-neck-risks-recovery.txt", "The Rhizotomy Neck Procedure – Risks Recovery"),
        ("cervical-neurotomy.txt", "Cervical Neurotomy"),
        ("selective-dorsal-rhizotomy.txt", "Selective Dorsal Rhizotomy"),
        ("percutaneous-rhizotomy.txt", "Percutaneous Rhizotomy Procedure"),
    ],
)
def test_titles(name: str, title: str) -> None:
    assert read_document(DOCS / name).title == title


def test_blank_line_runs_leave_no_empty_blocks() -> None:
    for doc in read_documents(DOCS):
        assert all(b.text.strip() for b in doc.blocks)


def test_markdown_document(tmp_path: Path) -> None:
    path = tmp_path / "guide.md"
    path.write_text("# Knee **Guide**\n\n## What is it?\n\nIt is a [test](http://x) passage.\n", encoding="utf-8")
    doc = read_document(path)
    assert doc.title == "Knee Guide"
    assert doc.headings == ("What is it?",)
    assert doc.blocks[0].text == "It is a test passage."


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", r"empty\.txt:1: document is empty"),
        (b"\n\n   \n", r"empty\.txt:1: document is empty"),
        (b"Title\nfine line\n\xff\xfe broken\n", r"empty\.txt:3: not valid UTF-8"),
        (b"Title\nsome\x00binary", r"empty\.txt:2: binary data"),
        (b"Only A Title\n", r"empty\.txt:1: document has a title but no text"),
    ],
)
def test_unreadable_documents_are_reported_with_line(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "empty.txt"
    path.write_bytes(content)
    with pytest.raises(KnowledgeBaseError, match=message):
        read_document(path)


def test_folder_without_documents(tmp_path: Path) -> None:
    with pytest.raises(KnowledgeBaseError, match=r"no documents"):
        read_documents(tmp_path)
    with pytest.raises(KnowledgeBaseError, match=r"documents folder not found"):
        read_documents(tmp_path / "missing")
