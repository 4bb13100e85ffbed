"""Write one Markdown leaflet as a PDF, a Word document and a saved web page, for the format tests.

The fixtures are made by the tests from ``tests/data/*.md`` with real writers (fpdf2, python-docx,
plain HTML with a menu, a cookie banner and a footer), so each format carries exactly the same
content and the tests can check that the build gives the same pairs from each.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from pathlib import Path

import docx
from fpdf import FPDF

__all__ = ["blocks", "write_docx", "write_html", "write_pdf"]

Block = tuple[str, object]


def blocks(markdown: str) -> Iterator[Block]:
    """("heading", (level, text)), ("paragraph", text), ("list", [items]), ("table", [[cells]])."""
    lines = [line.rstrip() for line in markdown.splitlines()]
    i = 0
    while i < len(lines):
        line = lines[i]
        if not line.strip():
            i += 1
        elif heading := re.match(r"(#+)\s+(.*)", line):
            yield "heading", (len(heading.group(1)), heading.group(2))
            i += 1
        elif line.startswith("- "):
            items = []
            while i < len(lines) and lines[i].startswith("- "):
                items.append(lines[i][2:])
                i += 1
            yield "list", items
        elif line.startswith("|"):
            rows = []
            while i < len(lines) and lines[i].startswith("|"):
                if not re.fullmatch(r"[|\-: ]+", lines[i]):
                    rows.append([cell.strip() for cell in lines[i].strip("|").split("|")])
                i += 1
            yield "table", rows
        else:
            yield "paragraph", line
            i += 1


def write_docx(markdown: str, path: Path) -> Path:
    document = docx.Document()
    for kind, value in blocks(markdown):
        if kind == "heading":
            level, text = value  # type: ignore[misc]
            document.add_heading(text, level=level)
        elif kind == "paragraph":
            document.add_paragraph(value)  # type: ignore[arg-type]
        elif kind == "list":
            for item in value:  # type: ignore[attr-defined]
                document.add_paragraph(item, style="List Bullet")
        else:
            rows = value
            table = document.add_table(rows=len(rows), cols=len(rows[0]))  # type: ignore[arg-type]
            for r, row in enumerate(rows):  # type: ignore[arg-type]
                for c, cell in enumerate(row):
                    table.cell(r, c).text = cell
    document.save(str(path))
    return path


def write_html(markdown: str, path: Path) -> Path:
    """A saved web page: the leaflet inside a site's menu, cookie banner and footer."""
    body = []
    for kind, value in blocks(markdown):
        if kind == "heading":
            level, text = value  # type: ignore[misc]
            body.append(f"<h{level}>{html.escape(text)}</h{level}>")
        elif kind == "paragraph":
            body.append(f"<p>{html.escape(value)}</p>")  # type: ignore[arg-type]
        elif kind == "list":
            body.append("<ul>" + "".join(f"<li>{html.escape(i)}</li>" for i in value) + "</ul>")  # type: ignore[attr-defined]
        else:
            head, *rest = value  # type: ignore[misc]
            cells = "".join(f"<th>{html.escape(c)}</th>" for c in head)
            rows = "".join("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>" for row in rest)
            body.append(f"<table><tr>{cells}</tr>{rows}</table>")
    page = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Patient leaflet | Riverside Pain Clinic</title></head>
<body>
<div id="cookie-banner" class="cookie-consent">We use cookies to improve your experience on our website.
<button>Accept all cookies</button> <button>Manage preferences</button></div>
<header><nav><ul><li><a href="/">Home</a></li><li><a href="/services">Our services</a></li>
<li><a href="/team">Meet the team</a></li><li><a href="/contact">Contact us</a></li></ul></nav></header>
<main><article>
{chr(10).join(body)}
</article></main>
<aside class="sidebar"><h3>Latest news</h3><p>Our new parking area opens next month.</p></aside>
<footer><p>Copyright 2026 Riverside Pain Clinic. All rights reserved.</p>
<ul><li><a href="/privacy">Privacy policy</a></li><li><a href="/terms">Terms of use</a></li></ul></footer>
</body></html>
"""
    path.write_text(page, encoding="utf-8")
    return path


def write_pdf(markdown: str, path: Path, *, password: str | None = None) -> Path:
    """A PDF leaflet: larger bold headings, wrapped paragraphs, bullets and a ruled table."""
    pdf = FPDF()
    if password is not None:
        pdf.set_encryption(owner_password="owner", user_password=password)
    pdf.add_page()
    pdf.set_auto_page_break(auto=True, margin=15)
    for kind, value in blocks(markdown):
        if kind == "heading":
            level, text = value  # type: ignore[misc]
            pdf.set_font("helvetica", "B", 18 if level == 1 else 14)
            pdf.multi_cell(0, 9, _latin1(text), new_x="LMARGIN", new_y="NEXT")
            pdf.ln(2)
        elif kind == "paragraph":
            pdf.set_font("helvetica", "", 11)
            pdf.multi_cell(0, 6, _latin1(value), new_x="LMARGIN", new_y="NEXT")  # type: ignore[arg-type]
            pdf.ln(4)
        elif kind == "list":
            pdf.set_font("helvetica", "", 11)
            for item in value:  # type: ignore[attr-defined]
                pdf.multi_cell(0, 6, "- " + _latin1(item), new_x="LMARGIN", new_y="NEXT")
            pdf.ln(4)
        else:
            pdf.set_font("helvetica", "", 11)
            with pdf.table() as table:
                for row in value:  # type: ignore[attr-defined]
                    cells = table.row()
                    for cell in row:
                        cells.cell(_latin1(cell))
            pdf.ln(4)
    pdf.output(str(path))
    return path


def _latin1(text: str) -> str:
    """fpdf2's core fonts are Latin-1: typographic quotes become plain ones."""
    return text.translate(str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "–": "-", "—": "-"}))
