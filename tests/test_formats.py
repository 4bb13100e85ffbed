"""PDF, Word and web-page documents: the same leaflet gives the same pairs in every format.

Fixtures are written by the tests (``tests/formats.py``) from the Markdown leaflets in
``tests/data/``; broken files (corrupt, encrypted, image-only, empty) must fail the build with
``file: reason`` and leave the previous knowledge base in place.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import DATA, KB
from formats import write_docx, write_html, write_pdf
from fpdf import FPDF

from chatbot import Chatbot, KnowledgeBaseError
from chatbot.build import build, build_pairs
from chatbot.documents import read_document
from chatbot.pairs import Pair
from chatbot.paths import KnowledgeBasePaths

WRITERS: dict[str, Callable[[str, Path], Path]] = {".pdf": write_pdf, ".docx": write_docx, ".html": write_html}


def _six_pages() -> str:
    """The knee leaflet with its sections repeated: six PDF pages, paragraphs broken across pages."""
    markdown = (DATA / "genicular-nerve-block.md").read_text("utf-8")
    body = markdown.split("\n", 1)[1]
    return markdown + "\n".join(body.replace("## ", f"## Part {k}: ") for k in range(2, 8))


LEAFLETS = {
    "genicular-nerve-block.md": (DATA / "genicular-nerve-block.md").read_text("utf-8"),
    "home-care.md": (DATA / "home-care.md").read_text("utf-8"),
    "six-pages.md": _six_pages(),
}


def _pairs(folder: Path, document: Path) -> list[Pair]:
    (folder / "documents").mkdir(parents=True)
    shutil.copy(document, folder / "documents" / document.name)
    return build_pairs(KnowledgeBasePaths.at(folder))[0]


def _content(pair: Pair) -> tuple[object, ...]:
    """What a patient sees of a pair; the file name and extracted line differ by format."""
    return (pair.id, pair.question, pair.variants, pair.answer, pair.source.title, pair.source.section, pair.topic)


@pytest.mark.parametrize("leaflet", LEAFLETS)
@pytest.mark.parametrize("suffix", sorted(WRITERS))
def test_same_content_gives_the_same_pairs_in_every_format(tmp_path: Path, leaflet: str, suffix: str) -> None:
    markdown = LEAFLETS[leaflet]
    source = tmp_path / leaflet
    source.write_text(markdown, encoding="utf-8")
    expected = _pairs(tmp_path / "md", source)
    document = WRITERS[suffix](markdown, tmp_path / Path(leaflet).with_suffix(suffix).name)
    got = _pairs(tmp_path / suffix.strip("."), document)
    assert [_content(p) for p in got] == [_content(p) for p in expected]
    assert {p.source.document for p in got} == {document.name}
    assert len(expected) >= 4


@pytest.mark.parametrize("suffix", sorted(WRITERS))
def test_headings_lists_and_tables_survive(tmp_path: Path, suffix: str) -> None:
    markdown = (DATA / "genicular-nerve-block.md").read_text("utf-8")
    doc = read_document(WRITERS[suffix](markdown, tmp_path / f"knee{suffix}"))
    assert doc.title == "Genicular Nerve Block for Knee Pain"
    assert "Risks and side effects" in doc.headings
    listed = next(b for b in doc.blocks if b.kind == "list")
    assert listed.lines[0] == "Serious problems are uncommon. Possible side effects include:"
    assert listed.lines[1:] == (
        "- Bruising or soreness where the needle went in",
        "- A temporary increase in knee pain for a day or two",
        "- Infection, which is rare",
        "- Raised blood sugar for a few days if a steroid is used",
    )
    table = next(b for b in doc.blocks if b.kind == "table")
    assert table.rows[0] == ("Result", "What it means")
    assert table.section == "How long does the relief last?"


def test_web_page_menus_cookie_banners_and_footers_are_dropped(tmp_path: Path) -> None:
    markdown = (DATA / "genicular-nerve-block.md").read_text("utf-8")
    doc = read_document(write_html(markdown, tmp_path / "knee.html"))
    text = "\n".join(line for block in doc.blocks for line in block.lines)
    for noise in ("cookies", "Our services", "Contact us", "All rights reserved", "Privacy policy", "parking area"):
        assert noise not in text
    assert "ultrasound to guide a thin needle" in text


def test_a_pdf_document_is_answerable(tmp_path: Path) -> None:
    root = tmp_path / "kb"
    (root / "documents").mkdir(parents=True)
    write_pdf((DATA / "genicular-nerve-block.md").read_text("utf-8"), root / "documents" / "knee.pdf")
    shutil.copy(KB / "synonyms.yaml", root)
    shutil.copy(KB / "clinic.yaml", root)
    build(KnowledgeBasePaths.at(root))
    reply = Chatbot.load(root).ask("how long does the relief from a genicular nerve block last")
    assert reply.kind == "answer"
    assert "three months" in reply.text
    assert reply.sources[0].document == "knee.pdf"


def _image_only_pdf(path: Path) -> None:
    pdf = FPDF()
    pdf.add_page()
    pdf.set_fill_color(120, 120, 120)
    pdf.rect(20, 20, 100, 60, style="F")
    pdf.output(str(path))


def _corrupt_docx(path: Path) -> None:
    write_docx("# Title\n\nSome text.\n", path)
    path.write_bytes(path.read_bytes()[:300])


def _empty_docx(path: Path) -> None:
    write_docx("", path)


BROKEN: list[tuple[str, Callable[[Path], object], str]] = [
    ("scan.pdf", _image_only_pdf, r"scan\.pdf: no text in this PDF \(a scanned image\?\)"),
    (
        "locked.pdf",
        lambda p: write_pdf("# Title\n\nSome text here.\n", p, password="s3cret"),
        r"locked\.pdf: encrypted",
    ),
    (
        "cut.pdf",
        lambda p: p.write_bytes(b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog"),
        r"cut\.pdf: corrupt or unreadable PDF",
    ),
    (
        "notes.pdf",
        lambda p: p.write_text("just some text, not a PDF", "utf-8"),
        r"notes\.pdf: corrupt or unreadable PDF",
    ),
    ("empty.pdf", lambda p: p.write_bytes(b""), r"empty\.pdf: corrupt or unreadable PDF"),
    ("cut.docx", _corrupt_docx, r"cut\.docx: corrupt or unreadable Word document"),
    (
        "old.docx",
        lambda p: p.write_bytes(b"\xd0\xcf\x11\xe0 an old binary .doc"),
        r"old\.docx: corrupt or unreadable Word",
    ),
    ("blank.docx", _empty_docx, r"blank\.docx: document is empty"),
    ("blank.html", lambda p: p.write_text("  \n", "utf-8"), r"blank\.html: document is empty"),
    (
        "menu.html",
        lambda p: p.write_text("<html><body><nav><a href='/'>Home</a></nav></body></html>", "utf-8"),
        r"menu\.html:1: document has a title but no text to answer from",
    ),
    ("image.html", lambda p: p.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), r"image\.html: binary data"),
]


@pytest.mark.parametrize(("name", "make", "message"), BROKEN, ids=[b[0] for b in BROKEN])
def test_broken_documents_fail_the_build_and_keep_the_old_pairs(
    faq_copy: Path, name: str, make: Callable[[Path], object], message: str
) -> None:
    before = (faq_copy / "pairs.yaml").read_bytes()
    make(faq_copy / "documents" / name)
    with pytest.raises(KnowledgeBaseError, match=message):
        build(KnowledgeBasePaths.at(faq_copy))
    assert (faq_copy / "pairs.yaml").read_bytes() == before


def test_a_pdf_protected_only_against_editing_is_read(tmp_path: Path) -> None:
    """An owner password (no password to open) is common on leaflets; the text is readable."""
    path = write_pdf("# Leaflet Title\n\nYou may shower the next day.\n", tmp_path / "leaflet.pdf", password="")
    doc = read_document(path)
    assert doc.blocks[0].text == "You may shower the next day."


def test_pdf_headings_in_bold_body_size_text_and_page_numbers(tmp_path: Path) -> None:
    """Word's "Save as PDF" often sets headings in bold at the body size, and numbers the pages."""
    pdf = FPDF()
    pdf.set_auto_page_break(auto=False)
    for page, (heading, text) in enumerate(
        [
            ("Driving after the injection", "You must not drive on the day of the injection."),
            ("Bathing", "You may shower the next day. Do not swim for one week."),
        ],
        start=1,
    ):
        pdf.add_page()
        if page == 1:
            pdf.set_font("helvetica", "B", 11)
            pdf.cell(0, 8, "Knee Injection Aftercare", new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("helvetica", "B", 11)
        pdf.cell(0, 8, heading, new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("helvetica", "", 11)
        pdf.multi_cell(0, 6, text, new_x="LMARGIN", new_y="NEXT")
        pdf.set_y(-15)
        pdf.cell(0, 6, f"Page {page} of 2", align="C")
    path = tmp_path / "aftercare.pdf"
    pdf.output(str(path))
    doc = read_document(path)
    assert doc.title == "Knee Injection Aftercare"
    assert doc.headings == ("Driving after the injection", "Bathing")
    assert [(b.section, b.text) for b in doc.blocks] == [
        ("Driving after the injection", "You must not drive on the day of the injection."),
        ("Bathing", "You may shower the next day. Do not swim for one week."),
    ]


def test_a_pdf_heading_that_wraps_onto_two_lines_is_one_heading(tmp_path: Path) -> None:
    heading = "What should I do if the pain in my knee comes back several months after a genicular nerve block?"
    body = "Call the clinic to talk about a repeat block. Keep a pain diary until your appointment. " * 2
    markdown = f"# Knee Leaflet\n\n## {heading}\n\n{body.strip()}\n"
    path = write_pdf(markdown, tmp_path / "wrapped.pdf")
    from pypdf import PdfReader

    assert heading not in PdfReader(path).pages[0].extract_text(), "the heading really wraps"
    doc = read_document(path)
    assert doc.headings == (heading,)
    assert doc.blocks[0].section == heading


def test_a_web_page_whose_title_sits_in_the_header_band(tmp_path: Path) -> None:
    path = tmp_path / "aftercare.html"
    path.write_text(
        "<!doctype html><html><head><title>Knee Injection Aftercare | Riverside Pain Clinic</title></head><body>"
        "<header><nav><a href='/'>Home</a></nav><h1>Knee Injection Aftercare</h1></header><main>"
        "<p>You must not drive on the day of the injection. Please arrange for an adult to drive you home.</p>"
        "<h2>Bathing</h2><p>You may shower the next day. Do not swim for one week after the injection.</p>"
        "</main><footer>Copyright 2026</footer></body></html>",
        encoding="utf-8",
    )
    doc = read_document(path)
    assert doc.title == "Knee Injection Aftercare"
    assert doc.blocks[0].text.startswith("You must not drive")
    assert doc.blocks[1].section == "Bathing"
