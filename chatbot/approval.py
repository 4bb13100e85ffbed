"""Who approved each clinic document, when, and when it must be reviewed again (``faq/approvals.yaml``).

A patient leaflet is only as good as its last clinical review. This side file records, per
document, who approved it and a review-by date. The build warns about documents nobody approved,
``python -m chatbot status`` lists documents past their review date, and a clinic that wants it
(``show_in_answers: true``) has every answer's source line quote the approval date. The file is
separate from ``curated.yaml`` so that approving a document does not change the built pairs.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from .errors import KnowledgeBaseError
from .reply import Source
from .yamlfile import LocatedDict, check_keys, read_yaml, require_str

__all__ = ["APPROVAL_FIELDS", "Approval", "Approvals", "DocumentStatus", "read_approvals"]

APPROVAL_FIELDS = ("approved_by", "approved_on", "review_by")
DUE_SOON_DAYS = 30
"""A review falling due within this many days is flagged by ``status`` before it is overdue."""


@dataclass(frozen=True)
class Approval:
    """One document's approval: by whom, on which date, and when it must be reviewed again."""

    document: str
    approved_by: str
    approved_on: dt.date
    review_by: dt.date
    line: int = 0


@dataclass(frozen=True)
class DocumentStatus:
    """A document's review state on a given day: ``ok``, ``due soon``, ``overdue`` or ``not approved``."""

    document: str
    state: str
    approval: Approval | None
    days: int = 0
    """Days until the review date (negative: days past it)."""


@dataclass(frozen=True)
class Approvals:
    """Every document's approval, and whether answers quote the approval date."""

    path: Path | None = None
    show_in_answers: bool = False
    documents: dict[str, Approval] = field(default_factory=dict)

    def source_line(self, source: Source) -> str:
        """How an answer names its source: ``Title — Section``, plus ``(approved 1 March 2026)`` if wanted."""
        approval = self.documents.get(source.document)
        if not self.show_in_answers or approval is None:
            return str(source)
        return f"{source} (approved {_long_date(approval.approved_on)})"

    def check_documents(self, files: Iterable[str]) -> None:
        """An approval naming a document that is not in the documents folder is a typo: an error."""
        known = set(files)
        for name, approval in self.documents.items():
            if name not in known:
                raise KnowledgeBaseError(self.path or "approvals.yaml", approval.line, f"document {name!r} not found")

    def require(self, files: Iterable[str]) -> None:
        """Stop a live start whose answers would quote a document no one approved.

        ``files``: the documents the pairs quote. The bot promises answers from the clinic's
        approved documents only; a clinic that went live (no ``demonstration: true``) with the
        shipped example leaflets, or with a new leaflet not yet signed off, would break that
        promise in front of patients. The error names the first such document.
        """
        missing = self.unapproved(set(files))
        if missing:
            others = f" (and {len(missing) - 1} more)" if len(missing) > 1 else ""
            raise KnowledgeBaseError(
                self.path or "approvals.yaml",
                None,
                f"document {missing[0]!r}{others} is not approved, and a live setup answers only from approved "
                "documents: record who approved it (approved_by, approved_on, review_by), or take it out of "
                "documents/ and rebuild",
            )

    def unapproved(self, files: Iterable[str]) -> list[str]:
        """The documents with no approval, in file-name order."""
        return sorted(name for name in files if name not in self.documents)

    def status(self, files: Iterable[str], *, today: dt.date) -> list[DocumentStatus]:
        """Every document's review state on ``today``: overdue first, then due soon, then the rest."""
        out = []
        for name in sorted(files):
            approval = self.documents.get(name)
            if approval is None:
                out.append(DocumentStatus(name, "not approved", None))
                continue
            days = (approval.review_by - today).days
            state = "overdue" if days < 0 else "due soon" if days <= DUE_SOON_DAYS else "ok"
            out.append(DocumentStatus(name, state, approval, days))
        order = {"overdue": 0, "not approved": 1, "due soon": 2, "ok": 3}
        return sorted(out, key=lambda s: (order[s.state], s.days, s.document))


def read_approvals(path: str | Path) -> Approvals:
    """Parse and validate the approvals file; a missing file means nothing is approved yet."""
    path = Path(path)
    data = read_yaml(path, missing_ok=True)
    if data is None:
        return Approvals(path)
    top = check_keys(data, path, what="approvals file", optional=("show_in_answers", "documents"), line=1)
    show = top.get("show_in_answers", False)
    if not isinstance(show, bool):
        raise KnowledgeBaseError(path, top.line_of("show_in_answers"), "'show_in_answers' must be true or false")
    documents = top.get("documents") or {}
    if not isinstance(documents, dict):
        raise KnowledgeBaseError(path, top.line_of("documents"), "'documents' must map file names to approvals")
    approvals = {}
    for name, entry in documents.items():
        line = documents.line_of(name) if isinstance(documents, LocatedDict) else 1
        what = f"approval of {name!r}"
        entry = check_keys(entry, path, what=what, required=APPROVAL_FIELDS, line=line)
        approved_on = _date(entry, "approved_on", path, what=what)
        review_by = _date(entry, "review_by", path, what=what)
        if review_by <= approved_on:
            raise KnowledgeBaseError(
                path, entry.line_of("review_by"), f"'review_by' must be after 'approved_on' in {what}"
            )
        approvals[name] = Approval(
            name, require_str(entry, "approved_by", path, what=what), approved_on, review_by, line
        )
    return Approvals(path, show, approvals)


def _date(entry: LocatedDict, key: str, path: Path, *, what: str) -> dt.date:
    value = entry[key]
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise KnowledgeBaseError(
            path, entry.line_of(key), f"{key!r} in {what} must be a date like 2026-03-31, got {value!r}"
        ) from None


def _long_date(day: dt.date) -> str:
    """``1 March 2026``: unambiguous for patients wherever they live (unlike 03/01/2026)."""
    return f"{day.day} {day.strftime('%B')} {day.year}"
