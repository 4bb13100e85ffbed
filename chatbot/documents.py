"""Read a clinic document and turn its messy web-page text into clean, structured blocks.

The clinic's documents are web pages saved as text. They carry noise that would otherwise leak into
answers: the page title glued onto paragraphs, a site footer in another language, words broken
across lines, runs of blank lines, "Know More" buttons. This module removes that noise and
recognises the structure that matters for answering: headings (sections), paragraphs, lists that
belong to a lead-in sentence ending with ":", and Markdown tables. It never rewrites the
document's sentences: answers must stay in the clinic's own words.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from .errors import KnowledgeBaseError
from .normalize import STOP_WORDS, tokens
from .readers import READERS, read_lines
from .staleness import DOCUMENT_SUFFIXES

__all__ = ["DOCUMENT_SUFFIXES", "Block", "Document", "read_document", "read_documents"]

BlockKind = Literal["paragraph", "list", "table"]

_HEADING_MAX_WORDS = 14
_WEB_BUTTONS = re.compile(r"(?:\s+(?:know|read|learn|see|find out)\s+more|\s+click\s+here)+\s*$", re.IGNORECASE)
_LIST_ITEM = re.compile(r"^\s*(?:[-*•·]|\d{1,2}[.)])\s+(?P<text>\S.*)$")
_TABLE_ROW = re.compile(r"^\s*\|.*\|\s*$")
_TABLE_RULE = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(?:\|\s*:?-{2,}:?\s*)*\|?\s*$")
_MD_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(?P<text>.+?)\s*#*\s*$")
_MD_EMPHASIS = re.compile(r"(\*\*|__)(?P<text>.+?)\1")
_MD_LINK = re.compile(r"\[(?P<text>[^\]]+)\]\([^)]*\)")
_SENTENCE_END = re.compile(r"[.!?…:;,]['\"”’)]*$")
_CONTACT_NOISE = re.compile(r"\S+@\S+\.\w+|https?://\S+|www\.\S+", re.IGNORECASE)


@dataclass(frozen=True)
class Block:
    """One unit of a document: a paragraph, a list with its lead-in, or a table.

    ``lines`` are the cleaned source lines; ``line`` is the 1-based line in the file where the
    block starts, so a reviewer can find the passage an answer quotes.
    """

    kind: BlockKind
    lines: tuple[str, ...]
    section: str
    line: int
    rows: tuple[tuple[str, ...], ...] = ()

    @property
    def text(self) -> str:
        if self.kind == "paragraph":
            return " ".join(self.lines)
        return "\n".join(self.lines)


@dataclass(frozen=True)
class Document:
    """A cleaned document: its display title, file name and blocks in reading order."""

    title: str
    file: str
    blocks: tuple[Block, ...]
    headings: tuple[str, ...] = field(default=())


def read_documents(folder: str | Path) -> list[Document]:
    """Every document in ``folder`` (text, Markdown, PDF, Word, HTML), sorted by file name for determinism."""
    folder = Path(folder)
    if not folder.is_dir():
        raise KnowledgeBaseError(folder, None, "documents folder not found")
    files = sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in DOCUMENT_SUFFIXES)
    if not files:
        raise KnowledgeBaseError(folder, None, f"no documents ({', '.join(DOCUMENT_SUFFIXES)}) in this folder")
    return [read_document(p) for p in files]


def read_document(path: str | Path) -> Document:
    """Read and clean one document; an unreadable or empty file is a :class:`KnowledgeBaseError`."""
    path = Path(path)
    if path.suffix.lower() in READERS:
        converted = [(i, line) for i, line in enumerate(read_lines(path), start=1) if line.strip()]
        return _parse(path, converted)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise KnowledgeBaseError(path, None, f"cannot read document ({exc.strerror or exc})") from None
    if b"\x00" in raw:
        raise KnowledgeBaseError(path, raw.count(b"\n", 0, raw.index(b"\x00")) + 1, "binary data, not a text document")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise KnowledgeBaseError(path, line, "not valid UTF-8 text (save the document as UTF-8)") from None
    numbered = [(i, line.replace("\t", " ").rstrip()) for i, line in enumerate(text.splitlines(), start=1)]
    numbered = [(i, line) for i, line in numbered if line.strip()]
    if not numbered:
        raise KnowledgeBaseError(path, 1, "document is empty")
    return _parse(path, numbered)


def _parse(path: Path, numbered: list[tuple[int, str]]) -> Document:
    first_line = _strip_markdown(numbered[0][1].strip())
    md = _MD_HEADING.match(numbered[0][1])
    if md or _looks_like_heading(first_line):
        raw_title = _strip_markdown(md.group("text")) if md else first_line
        body = numbered[1:]
    else:
        raw_title = path.stem.replace("-", " ").replace("_", " ").strip()
        body = numbered
    title = _display_title(raw_title)
    body = _join_broken_words(body)
    body = [(i, _remove_glued_title(line, raw_title, title)) for i, line in body]
    body = [(i, line) for i, line in body if line.strip() and not _is_noise(line, raw_title, title)]
    blocks, headings = _blocks(body, title)
    if not blocks:
        raise KnowledgeBaseError(path, numbered[0][0], "document has a title but no text to answer from")
    return Document(title=title, file=path.name, blocks=tuple(blocks), headings=tuple(headings))


def _strip_markdown(text: str) -> str:
    text = _MD_LINK.sub(r"\g<text>", text)
    return _MD_EMPHASIS.sub(r"\g<text>", text).strip()


def _display_title(raw: str) -> str:
    """The title patients see: without "Know More" buttons, and capitalised if it was all lower case."""
    title = _WEB_BUTTONS.sub("", raw).strip(" -–—:|")
    if title == title.lower():
        title = " ".join(w[:1].upper() + w[1:] for w in title.split())
    return title or raw


def _looks_like_heading(line: str) -> bool:
    """A short line without sentence punctuation (or a short question) that is not a list or table."""
    if _LIST_ITEM.match(line) or _TABLE_ROW.match(line) or _MD_HEADING.match(line):
        return bool(_MD_HEADING.match(line))
    words = line.split()
    if not words or len(words) > _HEADING_MAX_WORDS:
        return False
    if line.endswith("?"):
        return True
    if _SENTENCE_END.search(line):
        return False
    return words[0][:1].isupper() or words[0][:1].isdigit()


def _title_pattern(title: str) -> re.Pattern[str] | None:
    words = re.findall(r"\w+", title)
    if not words:
        return None
    return re.compile(r"\b" + r"\W+".join(map(re.escape, words)) + r"\b")


def _remove_glued_title(line: str, raw_title: str, title: str) -> str:
    """Drop copies of the page title that a web-page save glued onto the start or end of a line.

    Only copies standing where a sentence starts or after one ends are removed, so a heading that
    merely contains the title ("Advantages of Percutaneous Rhizotomy Procedure") is kept.
    """
    stripped = line.strip()
    for candidate in dict.fromkeys((raw_title, title)):
        pattern = _title_pattern(candidate)
        if pattern is None:
            continue
        changed = True
        while changed:
            changed = False
            start = re.match(
                r"^\W*" + pattern.pattern + r"(?:\W*(?:know|read|learn) more)?\s+(?=[A-Z0-9\"“(])", stripped
            )
            if start and start.end() < len(stripped):
                stripped, changed = stripped[start.end() :].lstrip(), True
                continue
            end = re.search(r"(?<=[.!?])\s+" + pattern.pattern + r"\W*$", stripped)
            if end:
                stripped, changed = stripped[: end.start()].rstrip(), True
    return stripped


def _is_noise(line: str, raw_title: str, title: str) -> bool:
    """Lines that carry no patient information: title repeats, footers, other-language boilerplate."""
    plain = line.strip()
    for candidate in (raw_title, title):
        pattern = _title_pattern(candidate)
        if pattern and re.fullmatch(r"(?:\W*" + pattern.pattern + r"\W*)+", plain):
            return True
    if _TABLE_ROW.match(plain) or _LIST_ITEM.match(plain):
        return False
    return _is_foreign(plain) or not _CONTACT_NOISE.sub("", plain).strip(" .,;:-|")


def _is_foreign(line: str) -> bool:
    """True for a sentence-length line with almost no common English words (a foreign site footer).

    English prose of eight or more words practically always contains several function words
    ("the", "of", "and", "is" …); a footer in Turkish, German or Spanish contains none or one.
    """
    words = tokens(line)
    if len(words) < 8:
        return False
    common = sum(1 for w in words if w in STOP_WORDS)
    return common / len(words) < 0.12


def _join_broken_words(body: list[tuple[int, str]]) -> list[tuple[int, str]]:
    """Re-join a word that a web-page save broke across lines ("rhizotom" / "y, ensuring").

    A line ending in a letter with no punctuation, followed by a line starting in lower case, is
    one sentence. Whether the two fragments are one word or two is decided by the document's own
    vocabulary: if the joined form occurs elsewhere in the document and the first fragment does
    not, it was one word.
    """
    vocabulary = Counter(re.findall(r"[a-z]+", " ".join(line for _, line in body).lower()))
    out: list[tuple[int, str]] = []
    for number, line in body:
        if out:
            prev_number, prev = out[-1]
            tail = re.search(r"([A-Za-z]+)$", prev)
            head = re.match(r"([a-z]+)", line.strip())
            if tail and head and not _LIST_ITEM.match(line):
                joined = (tail.group(1) + head.group(1)).lower()
                one_word = vocabulary[joined] > 0 and vocabulary[tail.group(1).lower()] <= 1
                glue = "" if one_word else " "
                out[-1] = (prev_number, prev + glue + line.strip())
                continue
        out.append((number, line))
    return out


def _blocks(body: list[tuple[int, str]], title: str) -> tuple[list[Block], list[str]]:
    """Group cleaned lines into paragraphs, lists (with their lead-in) and tables under headings."""
    blocks: list[Block] = []
    headings: list[str] = []
    section = title
    i = 0
    while i < len(body):
        number, line = body[i]
        stripped = line.strip()
        md = _MD_HEADING.match(line)
        if md or _looks_like_heading(stripped):
            section = _strip_markdown(md.group("text") if md else stripped)
            headings.append(section)
            i += 1
            continue
        if _TABLE_ROW.match(stripped):
            j = i
            rows: list[tuple[str, ...]] = []
            while j < len(body) and _TABLE_ROW.match(body[j][1].strip()):
                if not _TABLE_RULE.match(body[j][1].strip()):
                    cells = tuple(_strip_markdown(c.strip()) for c in body[j][1].strip().strip("|").split("|"))
                    rows.append(cells)
                j += 1
            if len(rows) >= 2:
                blocks.append(Block("table", tuple(_table_lines(rows)), section, number, rows=tuple(rows)))
            i = j
            continue
        if _LIST_ITEM.match(stripped):
            j = i
            items: list[str] = []
            while j < len(body) and _LIST_ITEM.match(body[j][1].strip()):
                items.append(_strip_markdown(_LIST_ITEM.match(body[j][1].strip()).group("text")))  # type: ignore[union-attr]
                j += 1
            lead: tuple[str, ...] = ()
            start = number
            if (
                blocks
                and blocks[-1].kind == "paragraph"
                and blocks[-1].text.endswith(":")
                and blocks[-1].section == section
            ):
                lead, start = blocks[-1].lines, blocks[-1].line
                blocks.pop()
            blocks.append(Block("list", (*lead, *(f"- {item}" for item in items)), section, start))
            i = j
            continue
        blocks.append(Block("paragraph", (_strip_markdown(stripped),), section, number))
        i += 1
    return blocks, headings


def _table_lines(rows: list[tuple[str, ...]]) -> list[str]:
    """A table as readable lines: "- First cell (header: cell; header: cell)" per data row."""
    header, data = rows[0], rows[1:]
    lines = []
    for row in data:
        first, rest = row[0], row[1:]
        details = "; ".join(
            f"{header[k + 1]}: {cell}" if k + 1 < len(header) and len(rest) > 1 else cell
            for k, cell in enumerate(rest)
            if cell
        )
        lines.append(f"- {first}: {details}" if details else f"- {first}")
    return lines
