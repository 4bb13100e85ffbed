"""Clinic staff's hand edits (``faq/curated.yaml``), merged into the built pairs on every build.

Staff can name a document's procedure, add phrasings to a generated pair, replace its question or
answer, or add a pair of their own. The build only reads this file, never writes it, so hand work
survives every rebuild.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

from .errors import KnowledgeBaseError
from .pairs import PAIR_FIELDS, Pair, parse_pair
from .yamlfile import LocatedDict, check_keys, read_yaml, require_str, str_list

__all__ = ["Curated", "DocumentSettings", "read_curated"]

EXTEND_FIELDS = ("extends", "variants", "question", "answer", "tags")


@dataclass(frozen=True)
class DocumentSettings:
    """Per-document overrides: the procedure name questions use, and extra tags."""

    procedure: str | None = None
    tags: tuple[str, ...] = ()
    line: int = 0


@dataclass(frozen=True)
class _Extension:
    target: str
    line: int
    variants: tuple[str, ...] = ()
    question: str | None = None
    answer: str | None = None
    tags: tuple[str, ...] = ()


@dataclass(frozen=True)
class Curated:
    """Everything in the curated file, validated."""

    path: Path | None = None
    documents: dict[str, DocumentSettings] = field(default_factory=dict)
    new_pairs: tuple[tuple[Pair, int], ...] = ()
    extensions: tuple[_Extension, ...] = ()

    def apply(self, generated: list[Pair]) -> list[Pair]:
        """The generated pairs with staff edits applied, followed by staff's own pairs.

        An edit that names a pair the build no longer produces is an error, not a silent no-op:
        a document change must not quietly drop a correction staff made.
        """
        by_id = {p.id: i for i, p in enumerate(generated)}
        pairs = list(generated)
        for ext in self.extensions:
            if ext.target not in by_id:
                raise KnowledgeBaseError(
                    self.path or "curated.yaml", ext.line, f"'extends: {ext.target}' names no built pair"
                )
            i = by_id[ext.target]
            old = pairs[i]
            pairs[i] = replace(
                old,
                question=ext.question or old.question,
                answer=ext.answer or old.answer,
                variants=tuple(dict.fromkeys((*old.variants, *ext.variants))),
                tags=tuple(dict.fromkeys((*old.tags, *ext.tags))),
                origin="curated" if ext.answer or ext.question else old.origin,
            )
        for pair, line in self.new_pairs:
            if pair.id in by_id:
                raise KnowledgeBaseError(
                    self.path or "curated.yaml", line, f"pair id {pair.id!r} is already used by a built pair"
                )
            by_id[pair.id] = len(pairs)
            pairs.append(pair)
        return pairs


def read_curated(path: str | Path) -> Curated:
    """Parse and validate the curated file; a missing file means no edits."""
    path = Path(path)
    data = read_yaml(path, missing_ok=True)
    if data is None:
        return Curated(path)
    top = check_keys(data, path, what="curated file", optional=("documents", "pairs"), line=1)
    return Curated(path, _documents(top, path), *_pairs(top, path))


def _documents(top: LocatedDict, path: Path) -> dict[str, DocumentSettings]:
    docs = top.get("documents")
    if docs is None:
        return {}
    if not isinstance(docs, LocatedDict):
        raise KnowledgeBaseError(path, top.line_of("documents"), "'documents' must map file names to settings")
    out = {}
    for name, settings in docs.items():
        entry = check_keys(
            settings, path, what=f"document {name!r}", optional=("procedure", "tags"), line=docs.line_of(name)
        )
        procedure = require_str(entry, "procedure", path, what=f"document {name!r}") if "procedure" in entry else None
        out[name] = DocumentSettings(
            procedure, str_list(entry, "tags", path, what=f"document {name!r}"), docs.line_of(name)
        )
    return out


def _pairs(top: LocatedDict, path: Path) -> tuple[tuple[tuple[Pair, int], ...], tuple[_Extension, ...]]:
    entries = top.get("pairs")
    if entries is None:
        return (), ()
    if not isinstance(entries, list):
        raise KnowledgeBaseError(path, top.line_of("pairs"), "'pairs' must be a list")
    new_pairs: list[tuple[Pair, int]] = []
    extensions: list[_Extension] = []
    seen: dict[str, int] = {}
    for entry in entries:
        line = getattr(entry, "line", top.line_of("pairs"))
        if isinstance(entry, LocatedDict) and "extends" in entry:
            check_keys(entry, path, what="pair edit", required=("extends",), optional=EXTEND_FIELDS, line=line)
            if not any(k in entry for k in ("variants", "question", "answer", "tags")):
                raise KnowledgeBaseError(
                    path, line, "pair edit changes nothing (give variants, question, answer or tags)"
                )
            extensions.append(
                _Extension(
                    target=require_str(entry, "extends", path, what="pair edit"),
                    line=line,
                    variants=str_list(entry, "variants", path, what="pair edit"),
                    question=require_str(entry, "question", path, what="pair edit") if "question" in entry else None,
                    answer=require_str(entry, "answer", path, what="pair edit") if "answer" in entry else None,
                    tags=str_list(entry, "tags", path, what="pair edit"),
                )
            )
            continue
        if not isinstance(entry, LocatedDict):
            raise KnowledgeBaseError(path, line, "each pair must be a mapping of 'key: value' lines")
        allowed = tuple(f for f in PAIR_FIELDS if f != "origin")
        check_keys(entry, path, what="pair", required=("id", "question"), optional=allowed, line=line)
        if not entry.get("answer"):
            raise KnowledgeBaseError(path, line, "pair has no 'answer'")
        if "source" not in entry:
            entry["source"] = LocatedDict(title="Clinic staff")
            entry["source"].line, entry["source"].key_lines = line, {}
        pair = parse_pair(entry, path, line=line, origin="curated")
        if pair.id in seen:
            raise KnowledgeBaseError(path, line, f"duplicate pair id {pair.id!r} (first at line {seen[pair.id]})")
        seen[pair.id] = line
        new_pairs.append((pair, line))
    return tuple(new_pairs), tuple(extensions)
