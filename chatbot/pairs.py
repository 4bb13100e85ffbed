"""The FAQ pair and its file format: one reviewable, diff-friendly YAML file under ``faq/``.

The built file is the contract between the build (which writes it) and the bot (which loads it),
and it is what clinic staff review before a release, so it is plain text with one field per line,
written in a fixed order so that the same documents always give the same bytes.
"""

from __future__ import annotations

import os
import stat
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from .errors import KnowledgeBaseError
from .integrity import seal, verify
from .reply import Source
from .yamlfile import LocatedDict, check_keys, parse_yaml, require_str, str_list, text_line_of_offset

__all__ = ["COUNTABLE", "PAIR_FIELDS", "Pair", "atomic_write", "dump_pairs", "read_pairs", "with_article"]

PAIR_FIELDS = ("id", "question", "variants", "answer", "source", "procedure", "topic", "tags", "origin")
SOURCE_FIELDS = ("title", "document", "section", "line")

HEADER = (
    "# FAQ pairs built by `python -m chatbot build` from faq/documents/ and faq/curated.yaml.\n"
    "# Do not edit by hand: the next build replaces this file. Put corrections and new phrasings in\n"
    "# faq/curated.yaml and run the build again.\n"
)


@dataclass(frozen=True)
class Pair:
    """One answerable question: how patients may ask it, the passage that answers it, and where it comes from."""

    id: str
    question: str
    answer: str
    source: Source
    variants: tuple[str, ...] = ()
    procedure: str = ""
    topic: str = ""
    tags: tuple[str, ...] = ()
    origin: str = "document"
    line: int = 0
    phrasings: tuple[str, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "phrasings", tuple(dict.fromkeys((self.question, *self.variants))))

    def to_yaml(self) -> dict[str, object]:
        source: dict[str, object] = {"title": self.source.title, "document": self.source.document}
        if self.source.section:
            source["section"] = self.source.section
        if self.line:
            source["line"] = self.line
        data: dict[str, object] = {"id": self.id, "question": self.question}
        if self.variants:
            data["variants"] = list(self.variants)
        data["answer"] = self.answer
        data["source"] = source
        if self.procedure:
            data["procedure"] = self.procedure
        if self.topic:
            data["topic"] = self.topic
        if self.tags:
            data["tags"] = list(self.tags)
        data["origin"] = self.origin
        return data


class _Dumper(yaml.SafeDumper):
    """Literal blocks for multi-line answers (lists, tables) so a diff shows one changed line."""


def _str_representer(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str_representer)


def dump_pairs(pairs: list[Pair], *, header: str = HEADER) -> str:
    """The pairs as YAML text, deterministic: same pairs in, same bytes out."""
    body = yaml.dump(
        {"pairs": [p.to_yaml() for p in pairs]},
        Dumper=_Dumper,
        sort_keys=False,
        allow_unicode=True,
        width=100,
        default_flow_style=False,
    )
    return header + seal(body, pairs=len(pairs)) + body


def atomic_write(path: Path, text: str | bytes) -> None:
    """Write ``text`` to ``path`` through a temporary file and a rename: a string as UTF-8, bytes as they are.

    A crash or error half-way leaves the previous file untouched: the bot never loads a truncated
    knowledge base. The new file keeps the old one's permissions (a new file: readable by all,
    like any other knowledge-base file), so a server running as another user can still read it.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
    except OSError:
        mode = 0o644
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.fchmod(fd, mode)
        if isinstance(text, bytes):
            with os.fdopen(fd, "wb") as binary:
                binary.write(text)
        else:
            with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
                handle.write(text)
        Path(tmp).replace(path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def read_pairs(path: str | Path) -> list[Pair]:
    """Load and validate a pairs file; every problem is reported as ``file:line: reason``.

    The file is read once, its content digest checked (:mod:`chatbot.integrity`), and only then
    parsed, so a truncated or half-copied file never yields a bot with part of its answers.
    """
    path = Path(path)
    data = parse_yaml(_read_verified(path), path)
    top = check_keys(data, path, what="pairs file", required=("pairs",), line=1)
    entries = top["pairs"]
    if not isinstance(entries, list):
        raise KnowledgeBaseError(path, top.line_of("pairs"), "'pairs' must be a list of pairs")
    pairs: list[Pair] = []
    seen: dict[str, int] = {}
    for entry in entries:
        pair = parse_pair(entry, path, line=top.line_of("pairs"))
        if pair.id in seen:
            raise KnowledgeBaseError(path, entry.line, f"duplicate pair id {pair.id!r} (first at line {seen[pair.id]})")
        seen[pair.id] = entry.line
        pairs.append(pair)
    return pairs


def _read_verified(path: Path) -> str:
    """The whole text of ``path``, once its content matches the digest the build wrote into it."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise KnowledgeBaseError(path, None, "file not found") from None
    except OSError as exc:
        raise KnowledgeBaseError(path, None, f"cannot read file ({exc.strerror or exc})") from None
    verify(data, path)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise KnowledgeBaseError(path, text_line_of_offset(data, exc.start), "not valid UTF-8 text") from None


def parse_pair(entry: object, path: Path, *, line: int, origin: str | None = None) -> Pair:
    """One pair from its YAML mapping, with every field checked."""
    entry = check_keys(
        entry, path, what="pair", required=("id", "question", "answer", "source"), optional=PAIR_FIELDS, line=line
    )
    assert isinstance(entry, LocatedDict)
    source_map = check_keys(
        entry["source"],
        path,
        what="pair source",
        required=("title",),
        optional=SOURCE_FIELDS,
        line=entry.line_of("source"),
    )
    source_line = source_map.get("line", 0)
    if not isinstance(source_line, int) or isinstance(source_line, bool) or source_line < 0:
        raise KnowledgeBaseError(path, source_map.line_of("line"), "source 'line' must be a whole number")
    return Pair(
        id=require_str(entry, "id", path, what="pair"),
        question=require_str(entry, "question", path, what="pair"),
        answer=require_str(entry, "answer", path, what="pair"),
        source=Source(
            title=require_str(source_map, "title", path, what="pair source"),
            document=str(source_map.get("document") or ""),
            section=str(source_map.get("section") or ""),
        ),
        variants=str_list(entry, "variants", path, what="pair"),
        procedure=str(entry.get("procedure") or ""),
        topic=str(entry.get("topic") or ""),
        tags=str_list(entry, "tags", path, what="pair"),
        origin=origin or str(entry.get("origin") or "document"),
        line=source_line,
    )


COUNTABLE = frozenset({"procedure", "surgery", "injection", "block", "operation", "treatment", "implant", "trial"})
"""Procedure nouns a sentence puts "the" before ("the rhizotomy neck procedure")."""


def with_article(procedure: str) -> str:
    """The procedure's name as a sentence uses it: "the rhizotomy neck procedure", but "cervical rhizotomy"."""
    last = procedure.split()[-1] if procedure else ""
    return f"the {procedure}" if last in COUNTABLE else procedure
