"""Approval and review dates (``approvals.yaml``): build warnings, ``status``, the source line."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from clirun import run_cli
from conftest import ROOT
from streamlit.testing.v1 import AppTest

from chatbot import KnowledgeBaseError
from chatbot.approval import DUE_SOON_DAYS, read_approvals
from chatbot.build import build
from chatbot.paths import KnowledgeBasePaths
from chatbot.reply import Source

DOCUMENTS = (
    "cervical-neurotomy.txt",
    "cervical-rhizotomy-duration.txt",
    "percutaneous-rhizotomy.txt",
    "rhizotomy-neck-risks-recovery.txt",
    "selective-dorsal-rhizotomy.txt",
)
TODAY = dt.date(2026, 6, 1)


def _approvals(*entries: tuple[str, str, str], show: bool = False) -> str:
    lines = [f"show_in_answers: {'true' if show else 'false'}", "documents:"]
    for name, approved_on, review_by in entries:
        lines += [
            f"  {name}:",
            "    approved_by: Dr Jane Example, Medical Director",
            f"    approved_on: {approved_on}",
            f"    review_by: {review_by}",
        ]
    return "\n".join(lines) + "\n"


run = run_cli


def test_the_build_warns_about_documents_nobody_approved(faq_copy: Path) -> None:
    entries = [(name, "2026-03-03", "2027-03-03") for name in DOCUMENTS[:4]]
    (faq_copy / "approvals.yaml").write_text(_approvals(*entries), "utf-8")
    result = build(KnowledgeBasePaths.at(faq_copy))
    assert len(result.warnings) == 1
    assert result.warnings[0].startswith(f"{faq_copy / 'documents' / DOCUMENTS[4]}: not approved")
    entries.append((DOCUMENTS[4], "2026-03-03", "2027-03-03"))
    (faq_copy / "approvals.yaml").write_text(_approvals(*entries), "utf-8")
    assert build(KnowledgeBasePaths.at(faq_copy)).warnings == ()


def test_the_build_command_prints_the_warnings(faq_copy: Path) -> None:
    (faq_copy / "approvals.yaml").unlink()
    result = run("--faq", str(faq_copy), "build")
    assert result.returncode == 0
    assert result.stderr.count("warning: ") == len(DOCUMENTS)
    assert f"warning: {faq_copy / 'documents' / DOCUMENTS[0]}: not approved" in result.stderr


def test_approving_a_document_does_not_make_the_pairs_stale(faq_copy: Path) -> None:
    before = (faq_copy / "pairs.yaml").read_bytes()
    (faq_copy / "approvals.yaml").write_text(_approvals((DOCUMENTS[0], "2026-03-03", "2027-03-03")), "utf-8")
    assert not build(KnowledgeBasePaths.at(faq_copy)).changed
    assert (faq_copy / "pairs.yaml").read_bytes() == before


@pytest.mark.parametrize(
    ("review_by", "state", "days"),
    [
        (TODAY - dt.timedelta(days=1), "overdue", -1),
        (TODAY, "due soon", 0),
        (TODAY + dt.timedelta(days=DUE_SOON_DAYS), "due soon", DUE_SOON_DAYS),
        (TODAY + dt.timedelta(days=DUE_SOON_DAYS + 1), "ok", DUE_SOON_DAYS + 1),
    ],
)
def test_review_state_on_both_sides_of_each_date(tmp_path: Path, review_by: dt.date, state: str, days: int) -> None:
    path = tmp_path / "approvals.yaml"
    path.write_text(_approvals(("a.txt", "2025-01-01", review_by.isoformat())), "utf-8")
    [status] = read_approvals(path).status(["a.txt"], today=TODAY)
    assert (status.state, status.days) == (state, days)


def test_status_lists_overdue_documents_first_and_fails(faq_copy: Path) -> None:
    (faq_copy / "approvals.yaml").write_text(
        _approvals(
            (DOCUMENTS[0], "2025-01-10", "2027-01-10"),
            (DOCUMENTS[1], "2024-05-01", "2026-05-01"),
            (DOCUMENTS[2], "2025-06-01", "2026-06-20"),
        ),
        "utf-8",
    )
    result = run("--faq", str(faq_copy), "status", "--today", TODAY.isoformat())
    assert result.returncode == 1, result.stderr
    rows = [line.split("  ")[0] for line in result.stdout.splitlines()[1:6]]
    assert rows == [DOCUMENTS[1], DOCUMENTS[3], DOCUMENTS[4], DOCUMENTS[2], DOCUMENTS[0]]
    assert "OVERDUE by 31 days" in result.stdout.splitlines()[1]
    assert "due in 19 days" in result.stdout
    assert "5 documents: 1 past their review date, 2 not approved (on 2026-06-01)" in result.stdout


def test_status_passes_when_nothing_is_overdue(faq_copy: Path) -> None:
    entries = [(name, "2026-03-03", "2027-03-03") for name in DOCUMENTS]
    (faq_copy / "approvals.yaml").write_text(_approvals(*entries), "utf-8")
    result = run("--faq", str(faq_copy), "status", "--today", TODAY.isoformat())
    assert result.returncode == 0
    assert "5 documents: 0 past their review date, 0 not approved" in result.stdout


@pytest.mark.parametrize("show", [True, False])
def test_answers_quote_the_approval_date_if_the_clinic_wants_it(faq_copy: Path, show: bool) -> None:
    (faq_copy / "approvals.yaml").write_text(
        _approvals(("cervical-rhizotomy-duration.txt", "2026-03-03", "2027-03-03"), show=show), "utf-8"
    )
    result = run("--faq", str(faq_copy), "ask", "How long does the relief from cervical rhizotomy last?")
    assert result.returncode == 0, result.stderr
    line = next(line for line in result.stdout.splitlines() if line.startswith("Source: "))
    expected = "Source: Duration of Cervical Rhizotomy Effects"
    assert line == (f"{expected} (approved 3 March 2026)" if show else expected)


def test_the_chat_page_quotes_the_approval_date(faq_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (faq_copy / "approvals.yaml").write_text(
        _approvals(("cervical-rhizotomy-duration.txt", "2026-03-03", "2027-03-03"), show=True), "utf-8"
    )
    monkeypatch.setenv("CHATBOT_FAQ_DIR", str(faq_copy))
    monkeypatch.setenv("CHATBOT_FEEDBACK_FILE", "off")
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    at.chat_input[0].set_value("How long does the relief from cervical rhizotomy last?").run()
    assert not at.exception, at.exception
    captions = [c.value.replace("\\", "") for c in at.caption]  # the page escapes Markdown
    assert any(
        c.endswith("Source: Duration of Cervical Rhizotomy Effects (approved 3 March 2026)") for c in captions
    ), captions


def test_a_broken_approvals_file_keeps_the_chat_page_closed(faq_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (faq_copy / "approvals.yaml").write_text("documents:\n  a.txt: {approved_by: X}\n", "utf-8")
    monkeypatch.setenv("CHATBOT_FAQ_DIR", str(faq_copy))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    assert "not available right now" in at.error[0].value
    assert not at.chat_input


def test_source_line_without_approval_is_unchanged(tmp_path: Path) -> None:
    path = tmp_path / "approvals.yaml"
    path.write_text(_approvals(("a.txt", "2026-03-03", "2027-03-03"), show=True), "utf-8")
    approvals = read_approvals(path)
    assert approvals.source_line(Source("A", "a.txt", "Risks")) == "A — Risks (approved 3 March 2026)"
    assert approvals.source_line(Source("B", "b.txt")) == "B"


BAD = [
    ("show_in_answers: yes please\n", r"approvals\.yaml:1: 'show_in_answers' must be true or false"),
    ("documents: [a.txt]\n", r"approvals\.yaml:1: 'documents' must map file names to approvals"),
    ("documents:\n  a.txt:\n    approved_by: X\n", r"approvals\.yaml:3: approval of 'a\.txt' has no 'approved_on'"),
    (
        "documents:\n  a.txt:\n    approved_by: X\n    approved_on: 3/3/2026\n    review_by: 2027-03-03\n",
        r"approvals\.yaml:4: 'approved_on' in approval of 'a\.txt' must be a date like 2026-03-31, got '3/3/2026'",
    ),
    (
        "documents:\n  a.txt:\n    approved_by: X\n    approved_on: 2026-03-03\n    review_by: 2026-03-03\n",
        r"approvals\.yaml:5: 'review_by' must be after 'approved_on'",
    ),
    (
        "documents:\n  a.txt:\n    approved_by: X\n    approved_on: 2026-03-03\n    review: 2027-03-03\n",
        r"approvals\.yaml:5: unknown field 'review' in approval of 'a\.txt'",
    ),
]


@pytest.mark.parametrize(("content", "message"), BAD)
def test_malformed_approvals_name_the_line(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "approvals.yaml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(KnowledgeBaseError, match=message):
        read_approvals(path)


def test_an_approval_for_a_missing_document_fails_the_build(faq_copy: Path) -> None:
    before = (faq_copy / "pairs.yaml").read_bytes()
    (faq_copy / "approvals.yaml").write_text(
        _approvals(("cervical-neurotomy.text", "2026-03-03", "2027-03-03")), "utf-8"
    )
    with pytest.raises(KnowledgeBaseError, match=r"approvals\.yaml:3: document 'cervical-neurotomy\.text' not found"):
        build(KnowledgeBasePaths.at(faq_copy))
    assert (faq_copy / "pairs.yaml").read_bytes() == before
