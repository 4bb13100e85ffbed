"""QnA Maker–style question-and-answer files: export the pairs, import a clinic's own into curated.yaml.

Many clinics already keep an FAQ in the QnA Maker / Azure question-answering TSV layout, or in a
spreadsheet. ``python -m chatbot export --format qna`` writes every pair in that layout, and
``python -m chatbot import FILE`` adds the rows of such a file (or a CSV with the same columns) to
``curated.yaml`` as pairs of the clinic's own; run the build afterwards.

The layout: a header row ``Question, Answer, Source, Metadata, SuggestedQuestions, IsContextOnly,
Prompts, QnaId``, then one row per question. Alternate phrasings of a question are further rows
with the same ``QnaId`` (and the same answer). ``Metadata`` is ``key:value|key:value``. Only
``Question`` and ``Answer`` are required on import; without ``QnaId``, rows with the same answer
are phrasings of one pair. In TSV, a line break inside an answer is written ``\\n``.

Import is all or nothing: every bad row is reported as ``file:line: reason`` and nothing is
written; the new ``curated.yaml`` is validated before it replaces the old one, and the new pairs
are appended as text, so the hand-written comments and edits already in it are kept byte for byte.
"""

from __future__ import annotations

import csv
import io
import re
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml

from .curated import read_curated
from .errors import KnowledgeBaseError
from .pairs import Pair, atomic_write, read_pairs
from .paths import KnowledgeBasePaths

__all__ = ["COLUMNS", "QnaEntry", "export_qna", "import_qna", "parse_qna"]

COLUMNS = ("Question", "Answer", "Source", "Metadata", "SuggestedQuestions", "IsContextOnly", "Prompts", "QnaId")
_METADATA_UNSAFE = re.compile(r"[:|\t\r\n]+")
_ESCAPES = {"\\": "\\\\", "\n": "\\n", "\t": "\\t", "\r": ""}


@dataclass(frozen=True)
class QnaEntry:
    """One question with its phrasings and answer, as read from a QnA file (``line``: its first row)."""

    question: str
    answer: str
    variants: tuple[str, ...] = ()
    source: str = ""
    metadata: tuple[tuple[str, str], ...] = ()
    line: int = 0


def export_qna(pairs: Iterable[Pair]) -> str:
    """The pairs as QnA Maker TSV: one row per phrasing, the alternate phrasings sharing the QnaId."""
    out = io.StringIO()
    out.write("\t".join(COLUMNS) + "\n")
    for number, pair in enumerate(pairs, start=1):
        metadata = [("pair_id", pair.id), ("topic", pair.topic), ("procedure", pair.procedure)]
        metadata += [("tag", tag) for tag in pair.tags]
        meta = "|".join(f"{key}:{_METADATA_UNSAFE.sub(' ', value).strip()}" for key, value in metadata if value)
        source = pair.source.document or pair.source.title
        for phrasing in pair.phrasings:
            row = (phrasing, pair.answer, source, meta, "[]", "False", "[]", str(number))
            out.write("\t".join(_escape(cell) for cell in row) + "\n")
    return out.getvalue()


def parse_qna(path: str | Path) -> list[QnaEntry]:
    """Read a QnA TSV (or, for ``.csv``, a CSV) file; every bad row is a ``file:line`` error."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise KnowledgeBaseError(path, None, "file not found") from None
    except UnicodeDecodeError:
        raise KnowledgeBaseError(path, None, "not valid UTF-8 text (save the file as UTF-8)") from None
    tsv = path.suffix.lower() != ".csv"
    reader = csv.reader(
        io.StringIO(text, newline=""), **({"delimiter": "\t", "quoting": csv.QUOTE_NONE} if tsv else {"strict": True})
    )
    try:
        rows = [(reader.line_num, row) for row in reader]
    except csv.Error as exc:
        raise KnowledgeBaseError(
            path, reader.line_num, f"not a readable {'TSV' if tsv else 'CSV'} file ({exc})"
        ) from None
    rows = [(n, row) for n, row in rows if any(cell.strip() for cell in row)]
    if not rows:
        raise KnowledgeBaseError(path, 1, "file is empty")
    line, header = rows[0]
    names = [cell.strip().lower() for cell in header]
    for required in ("question", "answer"):
        if required not in names:
            raise KnowledgeBaseError(
                path, line, f"the first row must name the columns (Question, Answer, ...): no {required.title()!r}"
            )
    column = {name: k for k, name in enumerate(names)}
    groups: dict[str, list[tuple[int, dict[str, str]]]] = {}
    for number, row in rows[1:]:
        if len(row) > len(names):
            raise KnowledgeBaseError(path, number, f"{len(row)} columns, but the header names {len(names)}")
        cells = {name: (_unescape(row[k]) if tsv else row[k]).strip() for name, k in column.items() if k < len(row)}
        for required in ("question", "answer"):
            if not cells.get(required):
                raise KnowledgeBaseError(path, number, f"empty {required.title()}")
        key = f"id:{cells['qnaid']}" if cells.get("qnaid") else f"answer:{cells['answer']}"
        groups.setdefault(key, []).append((number, cells))
    return [_entry(path, members) for members in groups.values()]


def _entry(path: Path, members: list[tuple[int, dict[str, str]]]) -> QnaEntry:
    first_line, first = members[0]
    for number, cells in members[1:]:
        if cells["answer"] != first["answer"]:
            raise KnowledgeBaseError(
                path, number, f"QnaId {first.get('qnaid')} has a different answer than on line {first_line}"
            )
    metadata = []
    for item in filter(None, (part.strip() for part in first.get("metadata", "").split("|"))):
        key, sep, value = item.partition(":")
        if not sep or not key.strip() or not value.strip():
            raise KnowledgeBaseError(path, first_line, f"metadata {item!r} is not key:value")
        metadata.append((key.strip(), value.strip()))
    phrasings = list(dict.fromkeys(cells["question"] for _, cells in members))
    return QnaEntry(
        question=phrasings[0],
        answer=first["answer"],
        variants=tuple(phrasings[1:]),
        source=first.get("source", ""),
        metadata=tuple(metadata),
        line=first_line,
    )


def import_qna(path: str | Path, paths: KnowledgeBasePaths) -> list[str]:
    """Add the file's questions to ``curated.yaml`` as the clinic's own pairs; returns the new pair ids.

    A question that is already a pair of the clinic's own is a bad row (import it once). The new
    file is parsed and its ids checked against the built pairs before it is written.
    """
    path = Path(path)
    entries = parse_qna(path)
    curated = read_curated(paths.curated)
    existing = {pair.id: line for pair, line in curated.new_pairs}
    questions = {_key(pair.question): line for pair, line in curated.new_pairs}
    ids: list[str] = []
    items: list[dict[str, object]] = []
    for entry in entries:
        if _key(entry.question) in questions:
            raise KnowledgeBaseError(
                path, entry.line, f"question already in {paths.curated.name} (line {questions[_key(entry.question)]})"
            )
        pair_id = _unique(f"qna/{_slug(entry.question)}", existing, ids)
        ids.append(pair_id)
        item: dict[str, object] = {"id": pair_id, "question": entry.question}
        if entry.variants:
            item["variants"] = list(entry.variants)
        item["answer"] = entry.answer
        item["source"] = {"title": _source_title(entry.source)}
        meta = dict(entry.metadata)
        if meta.get("topic"):
            item["topic"] = meta["topic"]
        if meta.get("procedure"):
            item["procedure"] = meta["procedure"]
        tags = [value for key, value in entry.metadata if key == "tag"]
        if tags:
            item["tags"] = tags
        items.append(item)
    old = paths.curated.read_text(encoding="utf-8") if paths.curated.exists() else ""
    new = _append_pairs(old, items, note=f"Imported from {path.name} by `python -m chatbot import`.")
    with tempfile.TemporaryDirectory() as folder:
        trial = Path(folder) / paths.curated.name
        trial.write_text(new, encoding="utf-8")
        try:
            read_curated(trial)
        except KnowledgeBaseError as exc:
            raise KnowledgeBaseError(path, None, f"the import would break {paths.curated.name}: {exc.reason}") from None
    built = {pair.id for pair in read_pairs(paths.pairs)} if paths.pairs.exists() else set()
    clash = next((pair_id for pair_id in ids if pair_id in built), None)
    if clash:
        raise KnowledgeBaseError(path, None, f"pair id {clash!r} is already used by a built pair")
    atomic_write(paths.curated, new)
    return ids


def _append_pairs(text: str, items: Sequence[dict[str, object]], *, note: str) -> str:
    """``text`` with ``items`` added at the end of its top-level ``pairs:`` list, everything else untouched."""
    body = yaml.safe_dump(items, sort_keys=False, allow_unicode=True, width=100, default_flow_style=False)
    lines = text.splitlines()
    start = next((k for k, line in enumerate(lines) if re.match(r"pairs:\s*(#.*)?$", line)), None)
    if start is None:
        block = [f"# {note}", "pairs:", *("  " + line for line in body.splitlines())]
        return "\n".join([*lines, *block]).lstrip("\n") + "\n"
    end = start + 1
    while end < len(lines) and (not lines[end].strip() or lines[end][:1] in (" ", "-", "#")):
        end += 1
    while end > start + 1 and not lines[end - 1].strip():
        end -= 1
    items_lines = [line for line in lines[start + 1 : end] if line.strip() and not line.lstrip().startswith("#")]
    indent = re.match(r"\s*", items_lines[0]).group(0) if items_lines else "  "  # type: ignore[union-attr]
    block = [f"{indent}# {note}", *(indent + line for line in body.splitlines())]
    if lines[start].rstrip().endswith("[]"):
        lines[start] = "pairs:"
    return "\n".join([*lines[:end], *block, *lines[end:]]) + "\n"


def _escape(cell: str) -> str:
    return "".join(_ESCAPES.get(ch, ch) for ch in cell)


def _unescape(cell: str) -> str:
    return re.sub(r"\\([\\nt])", lambda m: {"\\": "\\", "n": "\n", "t": "\t"}[m.group(1)], cell)


def _key(question: str) -> str:
    return " ".join(re.findall(r"\w+", question.lower()))


def _slug(question: str) -> str:
    words = re.findall(r"[a-z0-9]+", question.lower())
    return "-".join(words[:8]) or "question"


def _unique(candidate: str, existing: dict[str, int], taken: list[str]) -> str:
    pair_id, n = candidate, 2
    while pair_id in existing or pair_id in taken:
        pair_id, n = f"{candidate}-{n}", n + 1
    return pair_id


def _source_title(source: str) -> str:
    """QnA Maker's ``Editorial`` (typed in by staff) and an empty source are the clinic's own words."""
    return "Clinic staff" if source.strip().lower() in {"", "editorial"} else source.strip()
