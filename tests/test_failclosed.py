"""Fail closed: a knowledge base with a missing, broken, truncated or placeholder file never loads.

And the server process holds one bot (``chatbot.serving``) that only files on disk can change:
an edited ``pairs.yaml`` is picked up, a broken edit is refused while the previous bot keeps
answering, and nothing is ever half-loaded.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import re
from pathlib import Path

import pytest

from chatbot import Chatbot, KnowledgeBaseError
from chatbot.build import build, build_index
from chatbot.integrity import seal
from chatbot.pairs import atomic_write, dump_pairs, read_pairs
from chatbot.paths import KnowledgeBasePaths
from chatbot.serving import current_bot, refresh, reload_bot, status
from chatbot.settings import is_placeholder_phone

REAL_CLINIC = (
    'name: Lakeside Spine Centre\nphone: "(303) 555-2000"\nurgent_phone: "(303) 555-2999"\nemergency_number: "911"\n'
)


def _approve_all(faq: Path) -> None:
    """Record an approval for every document, as a clinic going live does (``approvals.yaml``)."""
    lines = ["documents:"]
    for document in sorted(path.name for path in (faq / "documents").iterdir()):
        lines += [f"  {document}:", "    approved_by: Dr A Test", "    approved_on: 2026-11-01"]
        lines.append("    review_by: 2027-11-01")
    (faq / "approvals.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")


def _go_live(faq: Path) -> None:
    (faq / "clinic.yaml").write_text(REAL_CLINIC, encoding="utf-8")
    _approve_all(faq)


def _edit(path: Path, pattern: str, replacement: str) -> None:
    text = path.read_text(encoding="utf-8")
    edited = re.sub(pattern, replacement, text, count=1, flags=re.MULTILINE)
    assert edited != text, pattern
    path.write_text(edited, encoding="utf-8")


# --- clinic.yaml ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, r"clinic\.yaml: file not found: the clinic's name and phone numbers are required"),
        ("", r"clinic\.yaml:1: the file is empty"),
        ("name: Lakeside Spine Centre\n", r"clinic\.yaml:1: clinic settings has no 'phone'"),
        (
            REAL_CLINIC.replace('"(303) 555-2000"', '"(555) 010-2000"'),
            r"clinic\.yaml:2: phone '\(555\) 010-2000' is an example number, not the clinic's; .*demonstration: true",
        ),
        (
            REAL_CLINIC.replace('"(303) 555-2999"', "the clinic's main number"),
            r"clinic\.yaml:3: urgent_phone \"the clinic's main number\" is an example number",
        ),
        (
            REAL_CLINIC.replace("Lakeside Spine Centre", "Riverside Pain Clinic"),
            r"clinic\.yaml:1: name 'Riverside Pain Clinic' is the example name",
        ),
        (REAL_CLINIC + "demonstration: maybe\n", r"clinic\.yaml:5: 'demonstration' must be true or false"),
        (REAL_CLINIC + "emergency_number: '112'\n", r"clinic\.yaml:5: invalid YAML: duplicate key"),
        (REAL_CLINIC + "phone_number: x\n", r"clinic\.yaml:5: unknown field 'phone_number'"),
    ],
)
def test_bad_clinic_file_stops_loading(faq_copy: Path, content: str | None, message: str) -> None:
    clinic = faq_copy / "clinic.yaml"
    if content is None:
        clinic.unlink()
    else:
        clinic.write_text(content, encoding="utf-8")
    with pytest.raises(KnowledgeBaseError, match=message):
        Chatbot.load(faq_copy)


def test_real_clinic_details_load_without_the_demonstration_flag(faq_copy: Path) -> None:
    _go_live(faq_copy)
    settings = Chatbot.load(faq_copy).settings
    assert (settings.name, settings.urgent_phone, settings.demonstration) == (
        "Lakeside Spine Centre",
        "(303) 555-2999",
        False,
    )


def test_a_live_setup_answers_only_from_approved_documents(faq_copy: Path) -> None:
    """The shipped example leaflets are approved by no one: a demonstration may quote them, a live setup may not."""
    assert Chatbot.load(faq_copy).settings.demonstration  # unapproved documents, a demonstration: loads
    _go_live(faq_copy)
    Chatbot.load(faq_copy)
    approvals = faq_copy / "approvals.yaml"
    _edit(approvals, r"^  percutaneous-rhizotomy\.txt:\n(    .*\n){3}", "")
    with pytest.raises(
        KnowledgeBaseError, match=r"approvals\.yaml: document 'percutaneous-rhizotomy\.txt' is not approved, and a live"
    ):
        Chatbot.load(faq_copy)
    approvals.unlink()
    with pytest.raises(KnowledgeBaseError, match=r"approvals\.yaml: document '.*' \(and 4 more\) is not approved"):
        Chatbot.load(faq_copy)


def test_shipped_clinic_file_is_an_explicit_demonstration(bot: Chatbot, faq_copy: Path) -> None:
    assert bot.settings.demonstration
    _edit(faq_copy / "clinic.yaml", r"^demonstration: true\n", "")
    with pytest.raises(KnowledgeBaseError, match=r"clinic\.yaml:\d+: name 'Riverside Pain Clinic' is the example"):
        Chatbot.load(faq_copy)


@pytest.mark.parametrize(
    ("number", "placeholder"),
    [
        ("(555) 010-2000", True),  # the shipped example: area code 555 is not assigned
        ("555-0123", True),  # 555-0100 to 555-0199 are reserved for fiction
        ("+1 (303) 555-0199", True),
        ("the clinic's main number", True),
        ("", True),
        ("(303) 555-0200", False),  # just outside the fictional range
        ("(303) 555-2000", False),
        ("+44 20 7946 1234", False),
        ("911", False),
    ],
)
def test_placeholder_phone_numbers(number: str, placeholder: bool) -> None:
    assert is_placeholder_phone(number) is placeholder


# --- pairs.yaml integrity -------------------------------------------------------------------------


def _cut_at_pair(text: str, keep: int) -> str:
    """The file cut at a pair boundary, keeping the first ``keep`` pairs: still valid YAML."""
    starts = [m.start() for m in re.finditer(r"^- id: ", text, flags=re.MULTILINE)]
    return text[: starts[keep]]


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (lambda text: _cut_at_pair(text, 30), r"pairs\.yaml: content does not match its digest \(60 pairs recorded\)"),
        (lambda text: text[: len(text) // 2], r"pairs\.yaml: content does not match its digest"),
        (lambda text: text.replace("radiofrequency", "radio frequency", 1), r"content does not match its digest"),
        (lambda text: re.sub(r"(?m)^# Content digest: .*\n", "", text), r"pairs\.yaml:1: no content digest line"),
        (lambda text: "", r"pairs\.yaml:1: no content digest line"),
    ],
    ids=["cut-at-a-pair", "cut-mid-line", "hand-edit", "no-digest", "empty"],
)
def test_damaged_pairs_file_stops_loading(faq_copy: Path, damage: object, message: str) -> None:
    pairs = faq_copy / "pairs.yaml"
    pairs.write_text(damage(pairs.read_text(encoding="utf-8")), encoding="utf-8")  # type: ignore[operator]
    with pytest.raises(KnowledgeBaseError, match=message):
        Chatbot.load(faq_copy)


def test_a_pair_boundary_cut_would_otherwise_load_half_the_answers(faq_copy: Path) -> None:
    """Why the digest exists: re-sealed, the same cut file loads with half the pairs and no complaint."""
    pairs = faq_copy / "pairs.yaml"
    text = pairs.read_text(encoding="utf-8")
    body = _cut_at_pair(text, 30)[text.index("pairs:\n") :]
    pairs.write_text(seal(body, pairs=30) + body, encoding="utf-8")
    with pytest.raises(KnowledgeBaseError, match=r"index\.npz: was built from other pairs or synonyms"):
        Chatbot.load(faq_copy)  # the stored index still knows the other 30 pairs
    build_index(KnowledgeBasePaths.at(faq_copy), read_pairs(pairs))
    assert len(Chatbot.load(faq_copy).pairs) == 30


def test_line_endings_do_not_break_the_digest(faq_copy: Path) -> None:
    pairs = faq_copy / "pairs.yaml"
    pairs.write_bytes(pairs.read_bytes().replace(b"\n", b"\r\n"))
    assert len(Chatbot.load(faq_copy).pairs) == 60


def test_the_build_seals_what_it_writes(faq_copy: Path) -> None:
    (faq_copy / "pairs.yaml").unlink()
    result = build(KnowledgeBasePaths.at(faq_copy))
    header = (faq_copy / "pairs.yaml").read_text(encoding="utf-8").split("\npairs:\n", 1)[0]
    assert re.search(rf"^# Content digest: sha256 [0-9a-f]{{64}}, {result.pairs} pairs$", header, re.MULTILINE)
    assert len(Chatbot.load(faq_copy).pairs) == result.pairs


# --- the server's bot (chatbot.serving) -----------------------------------------------------------


def _touch_later(path: Path) -> None:
    """Make sure the change is visible even on a file system with coarse timestamps."""
    info = path.stat()
    os.utime(path, ns=(info.st_atime_ns, info.st_mtime_ns + 2_000_000_000))


def test_the_server_bot_is_loaded_once_and_shared(faq_copy: Path) -> None:
    first = current_bot(faq_copy)
    assert current_bot(faq_copy) is first
    assert status(faq_copy).loaded and status(faq_copy).pairs == 60


def test_an_edited_pairs_file_is_picked_up(faq_copy: Path) -> None:
    old = current_bot(faq_copy)
    pairs = read_pairs(faq_copy / "pairs.yaml")
    pairs[0] = dataclasses.replace(pairs[0], answer="Park in the visitor car park on Level 2.")
    build_index(KnowledgeBasePaths.at(faq_copy), pairs[:-1])
    atomic_write(faq_copy / "pairs.yaml", dump_pairs(pairs[:-1]))
    _touch_later(faq_copy / "pairs.yaml")
    new = current_bot(faq_copy)
    assert new is not old and len(new.pairs) == len(old.pairs) - 1
    assert new.pairs[0].answer == "Park in the visitor car park on Level 2."
    assert current_bot(faq_copy) is new


def test_a_broken_edit_keeps_the_previous_bot_and_logs_one_line(
    faq_copy: Path, caplog: pytest.LogCaptureFixture
) -> None:
    old = current_bot(faq_copy)
    pairs = faq_copy / "pairs.yaml"
    pairs.write_text(_cut_at_pair(pairs.read_text(encoding="utf-8"), 30), encoding="utf-8")
    with caplog.at_level(logging.INFO, logger="chatbot.serving"):
        for _ in range(5):
            assert current_bot(faq_copy) is old
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(errors) == 1, caplog.text
    assert re.search(r"kept the previous knowledge base: .*pairs\.yaml: content does not match", errors[0].message)
    assert "\n" not in errors[0].getMessage() and errors[0].exc_info is None
    assert status(faq_copy).error is not None
    with pytest.raises(KnowledgeBaseError, match=r"pairs\.yaml: content does not match its digest"):
        reload_bot(faq_copy)
    assert current_bot(faq_copy) is old


def test_a_fixed_file_is_loaded_after_a_failed_one(faq_copy: Path) -> None:
    old = current_bot(faq_copy)
    clinic = faq_copy / "clinic.yaml"
    clinic.write_text("name: [broken\n", encoding="utf-8")
    assert current_bot(faq_copy) is old
    _approve_all(faq_copy)
    clinic.write_text(REAL_CLINIC, encoding="utf-8")
    _touch_later(clinic)
    assert current_bot(faq_copy).settings.name == "Lakeside Spine Centre"
    assert status(faq_copy).error is None


def test_the_readiness_state_notices_an_edit_without_a_page_view(faq_copy: Path) -> None:
    """``refresh`` (what ``/readyz`` reports) checks the files itself: a broken edit is reported,
    the previous bot kept; the file fixed, the edit is loaded and the report clears."""
    old = current_bot(faq_copy)
    clinic = faq_copy / "clinic.yaml"
    clinic.write_text(clinic.read_text(encoding="utf-8") + "answer_threshold: 2\n", encoding="utf-8")
    _touch_later(clinic)
    broken = refresh(faq_copy)
    assert broken.loaded and broken.error is not None
    assert re.search(r"clinic\.yaml:\d+: 'answer_threshold' must be a number from 0\.5 to 0\.99", broken.error)
    assert current_bot(faq_copy) is old
    clinic.write_text(clinic.read_text(encoding="utf-8").replace("answer_threshold: 2", "answer_threshold: 0.9"))
    _touch_later(clinic)
    fixed = refresh(faq_copy)
    assert fixed.loaded and fixed.error is None
    assert current_bot(faq_copy) is not old and current_bot(faq_copy).threshold == 0.9


def test_the_readiness_state_loads_nothing_before_start_up_has(faq_copy: Path) -> None:
    assert not refresh(faq_copy).loaded
    assert not status(faq_copy).loaded


def test_a_server_never_starts_half_loaded(faq_copy: Path) -> None:
    (faq_copy / "clinic.yaml").unlink()
    for _ in range(2):  # the second call answers from the recorded failure, without loading again
        with pytest.raises(KnowledgeBaseError, match=r"clinic\.yaml: file not found"):
            current_bot(faq_copy)
    assert not status(faq_copy).loaded


def test_reload_bot_replaces_the_bot(faq_copy: Path) -> None:
    old = current_bot(faq_copy)
    new = reload_bot(faq_copy)
    assert new is not old and current_bot(faq_copy) is new


def test_a_withdrawn_approval_is_noticed_by_a_live_server(faq_copy: Path) -> None:
    """``approvals.yaml`` is one of the files a server watches: withdrawing an approval is refused
    like any broken edit (the previous bot keeps answering, the readiness probe reports it)."""
    _go_live(faq_copy)
    old = current_bot(faq_copy)
    approvals = faq_copy / "approvals.yaml"
    _edit(approvals, r"^  cervical-neurotomy\.txt:\n(    .*\n){3}", "")
    _touch_later(approvals)
    assert current_bot(faq_copy) is old
    error = status(faq_copy).error or ""
    assert re.search(r"approvals\.yaml: document 'cervical-neurotomy\.txt' is not approved", error), error
