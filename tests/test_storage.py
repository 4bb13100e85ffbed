"""The turn database, the same tests on SQLite and on PostgreSQL.

PostgreSQL runs when ``CHATBOT_TEST_POSTGRES_URL`` names a server (``.ci/run`` starts a throwaway
one and sets ``REQUIRE_POSTGRES=1``, which turns a missing server into a failure instead of a skip).
"""

from __future__ import annotations

import json
import os
import stat
import threading
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from chatbot import ClinicSettings, KnowledgeBaseError
from chatbot.storage import (
    StorageError,
    TurnStore,
    import_feedback_once,
    main,
    metadata,
    new_conversation_id,
    turns,
    utc_now,
)

POSTGRES_ENV = "CHATBOT_TEST_POSTGRES_URL"


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[TurnStore]:
    """An empty store on each backend."""
    if request.param == "sqlite":
        found = TurnStore.open(data_dir=tmp_path / "data")
    else:
        url = os.environ.get(POSTGRES_ENV)
        if not url:
            if os.environ.get("REQUIRE_POSTGRES") == "1":
                pytest.fail(f"REQUIRE_POSTGRES=1 but {POSTGRES_ENV} is not set")
            pytest.skip(f"no PostgreSQL server: set {POSTGRES_ENV} (bash .ci/run starts one)")
        engine = sa.create_engine(url)
        metadata.drop_all(engine)
        engine.dispose()
        found = TurnStore(url)
    yield found
    if request.param == "postgresql":
        metadata.drop_all(found.engine)
    found.dispose()


def turn(store: TurnStore, **fields: object) -> int:
    values: dict[str, object] = {"conversation": "c1", "kind": "answer", "confidence": 0.8, "pair_id": "p/1"}
    values.update(fields)
    return store.record(**values)  # type: ignore[arg-type]


def test_a_turn_is_stored_with_its_fields(store: TurnStore) -> None:
    before = utc_now()
    turn_id = store.record(
        conversation="abc",
        kind="answer",
        confidence=0.73,
        pair_id="cervical-rhizotomy-duration/duration",
        matched_question="How long does the relief last?",
        procedure="cervical rhizotomy",
    )
    (row,) = store.turns()
    assert row["id"] == turn_id
    assert (row["conversation"], row["kind"], row["pair_id"], row["procedure"]) == (
        "abc",
        "answer",
        "cervical-rhizotomy-duration/duration",
        "cervical rhizotomy",
    )
    assert row["confidence"] == pytest.approx(0.73)
    assert row["message"] is None and row["rating"] is None
    assert before <= row["time"] <= utc_now()


def test_messages_and_comments_are_scrubbed_before_storage(store: TurnStore) -> None:
    turn_id = turn(store, message="I'm Jane Doe, DOB 02/03/1961, MRN 448812, on warfarin")
    assert store.rate(turn_id, "down", conversation="c1", comment="call me on 555-010-2234, Jane")
    (row,) = store.turns()
    assert row["message"] == "I'm [NAME], DOB [DATE], MRN [NUMBER], on warfarin"
    assert "555" not in row["comment"] and "[PHONE]" in row["comment"]


def test_a_turn_is_rated_once_and_only_by_its_conversation(store: TurnStore) -> None:
    turn_id = turn(store)
    assert not store.rate(turn_id, "up", conversation="someone-else")
    assert store.rate(turn_id, "up", conversation="c1")
    assert not store.rate(turn_id, "down", conversation="c1")
    assert store.turns()[0]["rating"] == "up"
    with pytest.raises(ValueError, match="rating must be one of up, down"):
        store.rate(turn_id, "meh", conversation="c1")


@pytest.mark.parametrize(
    ("age_days", "text_kept", "row_kept"),
    [(29, True, True), (31, False, True), (364, False, True), (366, False, False)],
)
def test_retention_erases_words_after_30_days_and_rows_after_a_year(
    store: TurnStore, age_days: int, text_kept: bool, row_kept: bool
) -> None:
    now = utc_now()
    turn_id = turn(store, message="does it hurt?", time=now - timedelta(days=age_days))
    store.rate(turn_id, "down", conversation="c1", comment="it did")
    store.purge(now=now)
    rows = store.turns()
    assert bool(rows) == row_kept
    if rows:
        assert (rows[0]["message"] == "does it hurt?") == text_kept
        assert (rows[0]["comment"] == "it did") == text_kept
        assert rows[0]["rating"] == "down", "the anonymous rating outlives the words"


def test_retention_period_is_configurable(tmp_path: Path) -> None:
    store = TurnStore.open(data_dir=tmp_path, retention_days=7)
    now = utc_now()
    turn(store, message="eight days old", time=now - timedelta(days=8))
    turn(store, message="six days old", time=now - timedelta(days=6))
    store.purge(now=now)
    assert [r["message"] for r in store.turns()] == [None, "six days old"]


def test_recording_purges_expired_words_without_a_cron_job(tmp_path: Path) -> None:
    """The first write of a process runs the purge (then at most hourly): no scheduler to forget."""
    store = TurnStore.open(data_dir=tmp_path)
    with store.engine.begin() as db:
        db.execute(sa.insert(turns).values(time=utc_now() - timedelta(days=40), conversation="old", kind="answer",
                                           confidence=0.5, message="old words"))  # fmt: skip
    turn(store, message="new words")
    assert [r["message"] for r in store.turns()] == [None, "new words"]
    assert store.purge().texts_erased == 0


def test_many_sessions_writing_at_once_lose_nothing(store: TurnStore) -> None:
    def session(number: int) -> None:
        conversation = new_conversation_id()
        for i in range(25):
            turn_id = turn(store, conversation=conversation, pair_id=f"p/{number}")
            if i % 5 == 0:
                assert store.rate(turn_id, "up", conversation=conversation)

    threads = [threading.Thread(target=session, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert store.count() == 200
    assert sum(r["rating"] == "up" for r in store.turns()) == 40


def test_turns_since_a_date(store: TurnStore) -> None:
    now = utc_now()
    turn(store, time=now - timedelta(days=10))
    turn(store, time=now - timedelta(days=1))
    assert len(store.turns(since=now - timedelta(days=7))) == 1
    assert len(store.turns()) == 2


def test_staff_decisions_are_kept_scrubbed(store: TurnStore) -> None:
    store.decide("can Jane Doe park at 42 Elm Street?", "decline-ok", staff="alice")
    store.decide("how long is the drive home", "mapped", staff="bob", pair_id="p/2")
    first, second = store.reviews()
    assert (first["decision"], first["staff"]) == ("decline-ok", "alice")
    assert "Elm" not in first["question"]
    assert (second["decision"], second["pair_id"]) == ("mapped", "p/2")
    with pytest.raises(ValueError, match="decision must be one of"):
        store.decide("x", "maybe", staff="alice")


def test_check_passes_on_a_writable_database(store: TurnStore) -> None:
    store.check()
    assert store.count() == 0 and not store.reviews()


def test_import_of_the_old_feedback_file_happens_once(store: TurnStore, tmp_path: Path) -> None:
    old = tmp_path / "feedback.jsonl"
    records = [
        {"time": "2026-11-30T10:00:00+00:00", "rating": "up", "question": "I'm Jane Doe, how long?",
         "pair_id": "p/1", "matched_question": "How long?", "kind": "answer", "confidence": 0.9},
        {"time": "2026-11-30T11:00:00+00:00", "rating": "down", "question": "cost?", "pair_id": None,
         "matched_question": None, "kind": "fallback", "confidence": 0.1},
    ]  # fmt: skip
    old.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    assert import_feedback_once(store, old) == 2
    assert import_feedback_once(store, old) == 0, "the file was moved aside, so a second start imports nothing"
    assert not old.exists() and (tmp_path / "feedback.jsonl.imported").exists()
    up, down = store.turns()
    assert (up["rating"], up["pair_id"], up["time"]) == ("up", "p/1", datetime(2026, 11, 30, 10))
    assert (down["rating"], down["kind"]) == ("down", "fallback")
    assert up["message"] is None, "questions are dropped unless the clinic stores messages"


def test_import_keeps_questions_scrubbed_when_the_clinic_allows(tmp_path: Path) -> None:
    store = TurnStore.open(data_dir=tmp_path / "d")
    old = tmp_path / "feedback.jsonl"
    old.write_text(json.dumps({"time": "2026-11-30T10:00:00", "rating": "up", "question": "I'm Jane Doe"}) + "\n")
    store.import_feedback(old, keep_questions=True)
    assert store.turns()[0]["message"] == "I'm [NAME]"


def test_a_broken_feedback_line_is_reported_with_its_line(tmp_path: Path) -> None:
    store = TurnStore.open(data_dir=tmp_path / "d")
    old = tmp_path / "feedback.jsonl"
    old.write_text('{"time": "2026-11-30T10:00:00", "rating": "up"}\nnot json\n')
    with pytest.raises(StorageError, match=r"feedback.jsonl:2: not a feedback record"):
        store.import_feedback(old)
    assert store.count() == 0, "all or nothing"


# --- the SQLite file and its folder ---------------------------------------------------------------


def test_data_folder_and_database_are_owner_only(tmp_path: Path) -> None:
    folder = tmp_path / "nested" / "data"
    store = TurnStore.open(data_dir=folder)
    turn(store)
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert stat.S_IMODE((folder / "turns.sqlite3").stat().st_mode) == 0o600
    with store.engine.connect() as db:
        assert db.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"


def test_a_data_folder_others_can_read_is_warned_about(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    folder = tmp_path / "shared"
    folder.mkdir(mode=0o755)
    folder.chmod(0o755)
    with caplog.at_level("WARNING", logger="chatbot.storage"):
        TurnStore.open(data_dir=folder).dispose()
    assert f"{folder} can be read by other users (mode 755): run `chmod go= {folder}`" in caplog.text
    caplog.clear()
    folder.chmod(0o700)
    with caplog.at_level("WARNING", logger="chatbot.storage"):
        TurnStore.open(data_dir=folder).dispose()
    assert "can be read by other users" not in caplog.text


def test_default_data_folder_is_outside_the_repository(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from chatbot.storage import default_data_dir

    monkeypatch.delenv("CHATBOT_DATA_DIR", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    assert default_data_dir() == tmp_path / "patient-chat"
    monkeypatch.setenv("CHATBOT_DATA_DIR", str(tmp_path / "x"))
    assert default_data_dir() == tmp_path / "x"


@pytest.mark.skipif(os.geteuid() == 0 and not os.environ.get("CI_FORCE"), reason="root ignores file permissions")
def test_unwritable_data_folder_is_reported_unless_root(tmp_path: Path) -> None:  # pragma: no cover - root on CI
    folder = tmp_path / "ro"
    folder.mkdir(mode=0o500)
    with pytest.raises(StorageError, match=r"data folder .*ro is not writable"):
        TurnStore.open(data_dir=folder)


def test_a_data_folder_that_is_a_file_is_reported(tmp_path: Path) -> None:
    blocker = tmp_path / "data"
    blocker.write_text("not a folder")
    with pytest.raises(StorageError, match=r"data folder .*data is not writable"):
        TurnStore.open(data_dir=blocker)


def test_a_read_only_database_fails_with_a_storage_error(tmp_path: Path) -> None:
    store = TurnStore.open(data_dir=tmp_path)
    turn(store)
    store.dispose()
    readonly = TurnStore(f"sqlite:///file:{tmp_path / 'turns.sqlite3'}?mode=ro&uri=true")
    with pytest.raises(StorageError, match=r"could not record a turn in .*turns.sqlite3: attempt to write a readonly"):
        turn(readonly)
    with pytest.raises(StorageError, match="could not write to the database"):
        readonly.check()
    assert readonly.count() == 1, "reading still works"


def test_a_database_that_is_down_fails_with_a_storage_error() -> None:
    with pytest.raises(
        StorageError, match=r"could not create the tables in postgresql\+psycopg://chat:\*\*\*@127.0.0.1:1/"
    ):
        TurnStore("postgresql+psycopg://chat:secret@127.0.0.1:1/chat")


def test_command_line_purge_uses_the_clinics_retention_period(
    tmp_path: Path, faq_copy: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    clinic = faq_copy / "clinic.yaml"
    clinic.write_text(clinic.read_text().replace("retention_days: 30", "retention_days: 7"))
    monkeypatch.setenv("CHATBOT_FAQ_DIR", str(faq_copy))
    store = TurnStore.open(data_dir=tmp_path / "data")
    with store.engine.begin() as db:
        db.execute(sa.insert(turns).values(time=utc_now() - timedelta(days=8), conversation="c", kind="answer",
                                           confidence=0.5, message="eight days old"))  # fmt: skip
    assert main(["--data-dir", str(tmp_path / "data"), "purge"]) == 0
    assert "1 texts erased, 0 rows deleted" in capsys.readouterr().out


# --- command line -------------------------------------------------------------------------------


def test_command_line_check_purge_and_import(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = tmp_path / "data"
    assert main(["--data-dir", str(data), "check"]) == 0
    assert "writable, 0 turns" in capsys.readouterr().out
    old = tmp_path / "feedback.jsonl"
    old.write_text(json.dumps({"time": "2020-11-30T10:00:00", "rating": "up"}) + "\n")
    assert main(["--data-dir", str(data), "import-feedback", str(old)]) == 0
    assert "1 ratings imported" in capsys.readouterr().out
    assert main(["--data-dir", str(data), "purge"]) == 0
    assert "0 texts erased, 1 rows deleted" in capsys.readouterr().out
    assert main(["--data-dir", str(data), "purge", "--retention-days", "7"]) == 0
    blocker = tmp_path / "file"
    blocker.write_text("")
    assert main(["--data-dir", str(blocker), "check"]) == 2
    assert capsys.readouterr().err.startswith(f"error: data folder {blocker} is not writable")


# --- the clinic's privacy settings ----------------------------------------------------------------

CONTACTS = "phone: (312) 555-2368\nurgent_phone: (312) 555-2369\nemergency_number: '911'\n"
"""The contact details clinic.yaml must give (after the line under test, so its line number stays 2)."""


@pytest.mark.parametrize(
    ("lines", "store", "days"),
    [
        ("", False, 30),
        ("store_patient_messages: true\n", True, 30),
        ("store_patient_messages: false\nretention_days: 1\n", False, 1),
        ("retention_days: 3650\n", False, 3650),
    ],
)
def test_privacy_settings_in_clinic_yaml(tmp_path: Path, lines: str, store: bool, days: int) -> None:
    path = tmp_path / "clinic.yaml"
    path.write_text("name: Test Clinic\n" + lines + CONTACTS)
    settings = ClinicSettings.from_file(path)
    assert (settings.store_patient_messages, settings.retention_days) == (store, days)


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ('store_patient_messages: "yes please"', r"clinic.yaml:2: 'store_patient_messages' must be true or false"),
        ("store_patient_messages: 1", r"clinic.yaml:2: 'store_patient_messages' must be true or false"),
        ("retention_days: 0", r"clinic.yaml:2: 'retention_days' must be a whole number of days from 1 to 3650"),
        ("retention_days: 3651", r"clinic.yaml:2: 'retention_days' must be a whole number of days from 1 to 3650"),
        ("retention_days: 7.5", r"clinic.yaml:2: 'retention_days' must be a whole number"),
        ("retention_days: true", r"clinic.yaml:2: 'retention_days' must be a whole number"),
    ],
)
def test_bad_privacy_settings_stop_start_up_naming_the_line(tmp_path: Path, line: str, message: str) -> None:
    path = tmp_path / "clinic.yaml"
    path.write_text(f"name: Test Clinic\n{line}\n{CONTACTS}")
    with pytest.raises(KnowledgeBaseError, match=message):
        ClinicSettings.from_file(path)
