"""Read PDF, Word (.docx) and saved web pages (.html) as the Markdown-like lines the cleaner parses.

Clinics keep their leaflets in these formats. Each reader turns a file into plain lines with the
structure the text cleaner (:mod:`chatbot.documents`) already understands: ``# heading`` lines,
one line per paragraph, ``- item`` list lines and ``| cell | cell |`` table rows. Cleaning,
sections, lists with their lead-in and table rows are then handled by one code path for every
format, so the same leaflet gives the same pairs whether it was saved as Markdown, PDF, Word or
HTML.

The parsing itself is done by maintained libraries (pypdf, python-docx, trafilatura); this module
only maps what they return onto those lines. Every failure (a corrupt, encrypted, image-only or
empty file) is a :class:`KnowledgeBaseError` naming the file and the reason, so the build stops
before anything is written. Build-time only: the answering engine never imports this module.
"""

from __future__ import annotations

import itertools
import logging
import re
import statistics
import zipfile
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from .errors import KnowledgeBaseError

__all__ = ["READERS", "read_lines"]

_HEADING_SIZE_RATIO = 1.15
"""A PDF line set at least this much larger than the body text is a heading; consecutive lines of one
such size are one wrapped heading. Short bold lines at the body size are headings one line each."""
_PARAGRAPH_GAP_RATIO = 1.3
"""A vertical gap this many times the usual line pitch ends a PDF paragraph."""
_COLUMN_GAP_EMS = 3.0
"""A horizontal gap this many font sizes wide inside a PDF line separates table cells."""
_BULLETS = re.compile(r"^\s*(?:[-*•·▪◦●■–]|\d{1,2}[.)])\s+")
_PAGE_NUMBER = re.compile(r"^\s*(?:page\s+)?\d{1,4}(?:\s*(?:of|/)\s*\d{1,4})?\s*$", re.IGNORECASE)
_SENTENCE_END = re.compile(r"[.!?:;]['\"”’)]*$")
_HEADING_MAX_WORDS = 14


def read_lines(path: Path) -> list[str]:
    """The document at ``path`` as Markdown-like lines; the suffix picks the reader."""
    reader = READERS[path.suffix.lower()]
    try:
        lines = reader(path)
    except KnowledgeBaseError:
        raise
    except OSError as exc:
        raise KnowledgeBaseError(path, None, f"cannot read document ({exc.strerror or exc})") from None
    except Exception as exc:
        raise KnowledgeBaseError(path, None, f"corrupt or unreadable {_FORMATS[path.suffix.lower()]} ({exc})") from None
    lines = [" ".join(line.split()) if not line.lstrip().startswith("|") else line.strip() for line in lines]
    if not any(line.strip() for line in lines):
        raise KnowledgeBaseError(path, None, f"document is empty (no text in this {_FORMATS[path.suffix.lower()]})")
    return lines


# --- PDF -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Run:
    """A piece of text pypdf reports, placed on its page."""

    page: int
    x: float
    y: float
    size: float
    bold: bool
    text: str


@dataclass
class _Line:
    page: int
    y: float
    size: float
    bold: bool
    cells: list[str]

    @property
    def text(self) -> str:
        return " ".join(self.cells)


def _read_pdf(path: Path) -> list[str]:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    logging.getLogger("pypdf").setLevel(logging.ERROR)
    try:
        reader = PdfReader(path, strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            raise KnowledgeBaseError(path, None, "encrypted PDF (password-protected): save an unprotected copy")
        pages = list(reader.pages)
    except (PdfReadError, ValueError, KeyError, TypeError) as exc:
        raise KnowledgeBaseError(path, None, f"corrupt or unreadable PDF ({exc})") from None
    if not pages:
        raise KnowledgeBaseError(path, None, "document is empty (the PDF has no pages)")
    runs: list[_Run] = []
    for number, page in enumerate(pages, start=1):

        def visit(text: str, cm: list[float], tm: list[float], font: dict | None, size: float, n: int = number) -> None:
            if not text.strip():
                return
            _, _, c, d, e, f = _multiply(tm, cm)
            scale = (c * c + d * d) ** 0.5 or 1.0
            name = str((font or {}).get("/BaseFont", ""))
            bold = "bold" in name.lower() or "black" in name.lower()
            for k, piece in enumerate(text.split("\n")):
                if piece.strip():
                    runs.append(_Run(n, e, f - k * size * scale * 1.2, size * scale, bold, piece))

        page.extract_text(visitor_text=visit)
    if not runs:
        raise KnowledgeBaseError(
            path, None, "no text in this PDF (a scanned image?): save it with its text, or as Word or text"
        )
    return _pdf_lines(_group_lines(runs))


def _multiply(m: list[float], n: list[float]) -> tuple[float, ...]:
    """The product of two PDF matrices ``[a b c d e f]`` (text matrix × current transformation)."""
    a1, b1, c1, d1, e1, f1 = (float(v) for v in m)
    a2, b2, c2, d2, e2, f2 = (float(v) for v in n)
    return (
        a1 * a2 + b1 * c2,
        a1 * b2 + b1 * d2,
        c1 * a2 + d1 * c2,
        c1 * b2 + d1 * d2,
        e1 * a2 + f1 * c2 + e2,
        e1 * b2 + f1 * d2 + f2,
    )


def _group_lines(runs: list[_Run]) -> list[_Line]:
    """Runs on the same baseline form one line; a wide gap between runs separates table cells."""
    ordered = sorted(runs, key=lambda r: (r.page, -round(r.y, 0), r.x))
    lines: list[_Line] = []
    group: list[_Run] = []
    for run in ordered:
        if group and (run.page != group[0].page or abs(run.y - group[0].y) > 0.4 * max(run.size, group[0].size)):
            lines.append(_make_line(group))
            group = []
        group.append(run)
    if group:
        lines.append(_make_line(group))
    return lines


def _make_line(group: list[_Run]) -> _Line:
    cells: list[str] = []
    end = None
    for run in sorted(group, key=lambda r: r.x):
        text = run.text.strip()
        if end is not None and cells and run.x - end < _COLUMN_GAP_EMS * run.size:
            cells[-1] = f"{cells[-1]} {text}"
        else:
            cells.append(text)
        end = run.x + 0.5 * run.size * len(run.text)
    size = max(r.size for r in group)
    return _Line(group[0].page, group[0].y, size, all(r.bold for r in group), cells)


def _pdf_lines(lines: list[_Line]) -> list[str]:
    """Lines → headings, paragraphs (wrapped lines joined), list items and table rows."""
    lines = [line for line in lines if not _PAGE_NUMBER.match(line.text)]
    if not lines:
        return []
    sizes: Counter[float] = Counter()
    for line in lines:
        sizes[round(line.size, 1)] += len(line.text)
    body = sizes.most_common(1)[0][0]
    pitches = [
        prev.y - line.y
        for prev, line in itertools.pairwise(lines)
        if line.page == prev.page and abs(line.size - body) < 0.5 and abs(prev.size - body) < 0.5 and prev.y > line.y
    ]
    pitch = statistics.median(pitches) if pitches else body * 1.2
    out: list[str] = []
    previous: _Line | None = None
    for line in lines:
        text = line.text
        heading = line.size >= body * _HEADING_SIZE_RATIO or (
            line.bold
            and len(line.cells) == 1
            and len(text.split()) <= _HEADING_MAX_WORDS
            and not _SENTENCE_END.search(text)
            and not _BULLETS.match(text)
        )
        if len(line.cells) > 1:
            out.append("| " + " | ".join(cell.replace("|", "/") for cell in line.cells) + " |")
        elif heading:
            wrapped = (
                previous is not None
                and out
                and out[-1].startswith("# ")
                and line.size >= body * _HEADING_SIZE_RATIO
                and abs(previous.size - line.size) < 0.5
                and _continues(previous, line, pitch * 1.6)
            )
            if wrapped:
                out[-1] = f"{out[-1]} {text}"
            else:
                out.append(f"# {text}")
        elif _BULLETS.match(text):
            out.append("- " + _BULLETS.sub("", text, count=1))
        elif (
            previous is not None
            and out
            and not out[-1].startswith(("# ", "|"))
            and abs(previous.size - line.size) < 0.5
            and _continues(previous, line, pitch * _PARAGRAPH_GAP_RATIO)
        ):
            out[-1] = f"{out[-1]} {text}"
        else:
            out.append(text)
        previous = line
    return out


def _continues(previous: _Line, line: _Line, limit: float) -> bool:
    """Whether ``line`` continues ``previous`` (the next line of the same block, or over a page break)."""
    if line.page != previous.page:
        return not _SENTENCE_END.search(previous.text)
    return 0 < previous.y - line.y <= limit


# --- Word ----------------------------------------------------------------------------------------


def _read_docx(path: Path) -> list[str]:
    import docx
    from docx.opc.exceptions import PackageNotFoundError
    from docx.table import Table

    try:
        document = docx.Document(str(path))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as exc:
        reason = (
            "not a Word .docx file: an old .doc, password-protected, or damaged?"
            if isinstance(exc, PackageNotFoundError)
            else exc
        )
        raise KnowledgeBaseError(path, None, f"corrupt or unreadable Word document ({reason})") from None
    out: list[str] = []
    for item in document.iter_inner_content():
        if isinstance(item, Table):
            for row in item.rows:
                cells = [" ".join(cell.text.split()).replace("|", "/") for cell in row.cells]
                merged = [cell for k, cell in enumerate(cells) if k == 0 or cell != cells[k - 1]]
                out.append("| " + " | ".join(merged) + " |")
            out.append("")
            continue
        text = " ".join(item.text.split())
        if not text:
            continue
        style = (item.style.name if item.style is not None else "") or ""
        level = re.match(r"(?:Heading (\d)|Title)$", style)
        numbered = item._p.pPr is not None and item._p.pPr.numPr is not None
        if level:
            out.append("#" * int(level.group(1) or 1) + " " + text)
        elif style.startswith("List") or numbered:
            out.append("- " + _BULLETS.sub("", text, count=1))
        else:
            out.append(text)
    return out


# --- HTML ----------------------------------------------------------------------------------------


def _read_html(path: Path) -> list[str]:
    """The main text of a saved web page, without menus, cookie banners and footers (trafilatura)."""
    import trafilatura

    logging.getLogger("trafilatura").setLevel(logging.ERROR)
    raw = path.read_bytes()
    if not raw.strip():
        raise KnowledgeBaseError(path, None, "document is empty (no text in this web page)")
    if b"\x00" in raw[:4096]:
        raise KnowledgeBaseError(path, None, "binary data, not a saved web page")
    text = trafilatura.extract(
        raw,
        output_format="markdown",
        include_tables=True,
        include_formatting=True,
        include_links=False,
        include_images=False,
        include_comments=False,
        deduplicate=False,
        favor_recall=True,
    )
    if not text or not text.strip():
        raise KnowledgeBaseError(path, None, "no main text found in this web page")
    lines = [line.rstrip() for line in text.splitlines()]
    first = next(line for line in lines if line.strip())
    if not first.startswith("# "):
        # Many sites put the page's <h1> in the header band, outside the main text: the page's own
        # title (its h1, og:title or <title> without the site name) is the document's title.
        metadata = trafilatura.extract_metadata(raw)
        if metadata is not None and metadata.title and metadata.title.strip():
            lines = [f"# {' '.join(metadata.title.split())}", "", *lines]
    return lines


_FORMATS = {".pdf": "PDF", ".docx": "Word document", ".html": "web page", ".htm": "web page"}

READERS: dict[str, Callable[[Path], list[str]]] = {
    ".pdf": _read_pdf,
    ".docx": _read_docx,
    ".html": _read_html,
    ".htm": _read_html,
}
"""Readers by file suffix; plain text and Markdown are read by :mod:`chatbot.documents` itself."""
