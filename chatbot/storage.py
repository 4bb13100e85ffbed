"""Every chat turn in a real database: SQLite on the server by default, PostgreSQL for several replicas.

What one row of ``turns`` holds: the time (UTC), an anonymous conversation id (random, made by
the chat page, never linked to a person, a browser or an address), the reply kind, the matched
pair and question, the confidence, the procedure, and the patient's thumbs up/down. The
patient's own words (the message and an optional comment) are stored only when the clinic turned
that on, and then always through :func:`chatbot.scrub.scrub`, here, so no caller can forget it;
they are deleted after the clinic's retention period, and whole rows after a year.

The default database is ``turns.sqlite3`` in a data folder outside the repository
(``CHATBOT_DATA_DIR``, else ``$XDG_DATA_HOME/patient-chat`` or ``~/.local/share/patient-chat``),
created owner-only, in WAL mode with a busy timeout so many sessions can write at once.
``CHATBOT_DATABASE_URL`` (an SQLAlchemy URL such as ``postgresql+psycopg://chat@db/chat``) points
every replica at one PostgreSQL database instead.

Every failure (read-only disk, full disk, database down) is raised as :class:`StorageError` with
one line saying what failed; the chat page logs it and keeps answering.

``python -m chatbot.storage check|purge|import-feedback FILE`` runs the same from a shell.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import os
import sys
import threading
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from .errors import ChatbotError
from .paths import KnowledgeBasePaths
from .scrub import scrub
from .settings import ClinicSettings

__all__ = [
    "DATABASE_URL_ENV",
    "DATA_DIR_ENV",
    "RATINGS",
    "StorageError",
    "TurnStore",
    "default_data_dir",
    "import_feedback_once",
    "new_conversation_id",
    "utc_now",
]

DATA_DIR_ENV = "CHATBOT_DATA_DIR"
DATABASE_URL_ENV = "CHATBOT_DATABASE_URL"
DATABASE_FILE = "turns.sqlite3"
RATINGS = ("up", "down")
ROW_RETENTION_DAYS = 365
"""Whole turn rows (no patient words in them) are kept this long, for the insight charts."""
PURGE_EVERY_SECONDS = 3600.0
MAX_TEXT = 1000
"""Stored messages and comments are cut to this many characters (the chat answers nothing longer)."""

_log = logging.getLogger(__name__)

metadata = sa.MetaData()

turns = sa.Table(
    "turns",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("time", sa.DateTime, nullable=False, index=True),
    sa.Column("conversation", sa.String(64), nullable=False, index=True),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("pair_id", sa.String(300)),
    sa.Column("matched_question", sa.Text),
    sa.Column("confidence", sa.Float, nullable=False, default=0.0),
    sa.Column("procedure", sa.String(300)),
    sa.Column("message", sa.Text),
    sa.Column("rating", sa.String(4)),
    sa.Column("comment", sa.Text),
    sa.Column("rated_at", sa.DateTime),
)
_INSERT_TURN = sa.insert(turns)
"""Built once: a turn is recorded on every reply, and building the statement cost as much as running it."""

reviews = sa.Table(
    "reviews",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("time", sa.DateTime, nullable=False),
    sa.Column("question", sa.Text, nullable=False),
    sa.Column("decision", sa.String(24), nullable=False),
    sa.Column("pair_id", sa.String(300)),
    sa.Column("staff", sa.String(100), nullable=False),
)
"""Staff decisions on declined questions: mapped to a pair, rightly declined, or a proposal rejected."""

DECISIONS = ("mapped", "decline-ok", "proposal-rejected")


class StorageError(ChatbotError):
    """The turn database could not be opened, read or written; the message says which and why."""


def utc_now() -> datetime:
    """Naive UTC: both SQLite and PostgreSQL store it as given, so comparisons never shift by a zone."""
    return datetime.now(timezone.utc).replace(tzinfo=None)


def new_conversation_id() -> str:
    """A random id for one conversation: 128 random bits, nothing derived from the patient."""
    return uuid.uuid4().hex


def default_data_dir() -> Path:
    """``CHATBOT_DATA_DIR``, else the XDG data folder: never inside the repository, which may be shared."""
    value = os.environ.get(DATA_DIR_ENV, "").strip()
    if value:
        return Path(value).expanduser()
    base = os.environ.get("XDG_DATA_HOME", "").strip()
    return (Path(base) if base else Path.home() / ".local" / "share") / "patient-chat"


@dataclass(frozen=True)
class PurgeResult:
    """How many stored messages/comments were erased and how many whole rows were deleted."""

    texts_erased: int
    rows_deleted: int


class TurnStore:
    """One database of chat turns; thread-safe (SQLAlchemy's pool), shared by every session of a process.

    Parameters
    ----------
    url:
        SQLAlchemy database URL. :meth:`open` picks the default.
    retention_days:
        Stored patient words (messages, comments) older than this are erased.
    row_retention_days:
        Whole rows older than this are deleted.
    """

    def __init__(self, url: str, *, retention_days: int = 30, row_retention_days: int = ROW_RETENTION_DAYS) -> None:
        self.url = sa.make_url(url)
        self.retention_days = retention_days
        self.row_retention_days = row_retention_days
        self._purge_lock = threading.Lock()
        self._next_purge = 0.0
        self.engine = _engine(self.url)
        self._writes = threading.Lock() if self.url.get_backend_name() == "sqlite" else contextlib.nullcontext()
        """SQLite takes one writer at a time; queueing a process's writers here is fairer than its busy handler."""
        self._run("create the tables", lambda: metadata.create_all(self.engine))

    @classmethod
    def open(cls, url: str | None = None, *, data_dir: str | Path | None = None, retention_days: int = 30) -> TurnStore:
        """The configured store: ``url``, else ``CHATBOT_DATABASE_URL``, else SQLite in the data folder.

        Raises :class:`StorageError` naming the folder when it cannot be created or written.
        """
        url = url or os.environ.get(DATABASE_URL_ENV, "").strip() or None
        if url is None:
            folder = Path(data_dir) if data_dir is not None else default_data_dir()
            url = f"sqlite:///{prepare_data_dir(folder) / DATABASE_FILE}"
        return cls(url, retention_days=retention_days)

    @property
    def where(self) -> str:
        """The database, for messages: the file for SQLite, the URL without its password otherwise."""
        if self.url.get_backend_name() == "sqlite":
            return str(self.url.database)
        return self.url.render_as_string(hide_password=True)

    # --- writing -----------------------------------------------------------------------------

    def record(
        self,
        *,
        conversation: str,
        kind: str,
        confidence: float = 0.0,
        pair_id: str | None = None,
        matched_question: str | None = None,
        procedure: str | None = None,
        message: str | None = None,
        time: datetime | None = None,
    ) -> int:
        """Store one turn and return its id. ``message`` is scrubbed here; pass it only if the clinic allows it."""
        row = {
            "time": time or utc_now(),
            "conversation": conversation[:64],
            "kind": kind,
            "pair_id": pair_id,
            "matched_question": matched_question,
            "confidence": float(confidence),
            "procedure": procedure,
            "message": _scrubbed(message),
        }

        def insert() -> int:
            with self._writes, self.engine.begin() as db:
                return int(db.execute(_INSERT_TURN, row).inserted_primary_key[0])

        turn_id = self._run("record a turn", insert)
        self._purge_now_and_then()
        return turn_id

    def rate(self, turn_id: int, rating: str, *, conversation: str, comment: str | None = None) -> bool:
        """Record a thumbs up/down (and a scrubbed comment) once; False if already rated or not this conversation's."""
        if rating not in RATINGS:
            raise ValueError(f"rating must be one of {', '.join(RATINGS)}, got {rating!r}")
        statement = (
            sa.update(turns)
            .where(turns.c.id == turn_id, turns.c.conversation == conversation, turns.c.rating.is_(None))
            .values(rating=rating, comment=_scrubbed(comment), rated_at=utc_now())
        )

        def update() -> bool:
            with self._writes, self.engine.begin() as db:
                return db.execute(statement).rowcount == 1

        return self._run("record a rating", update)

    def comment(self, turn_id: int, comment: str, *, conversation: str) -> bool:
        """Add a (scrubbed) comment to a turn of this conversation once; False if it already has one."""
        statement = (
            sa.update(turns)
            .where(turns.c.id == turn_id, turns.c.conversation == conversation, turns.c.comment.is_(None))
            .values(comment=_scrubbed(comment))
        )

        def update() -> bool:
            with self._writes, self.engine.begin() as db:
                return db.execute(statement).rowcount == 1

        return self._run("record a comment", update)

    def decide(self, question: str, decision: str, *, staff: str, pair_id: str | None = None) -> None:
        """Remember a staff decision on a (scrubbed) declined question, so it leaves the open list."""
        if decision not in DECISIONS:
            raise ValueError(f"decision must be one of {', '.join(DECISIONS)}, got {decision!r}")
        row = {"time": utc_now(), "question": scrub(question), "decision": decision, "pair_id": pair_id, "staff": staff}
        self._run("record a review", lambda: self._execute(sa.insert(reviews).values(**row)))

    def purge(self, *, now: datetime | None = None) -> PurgeResult:
        """Erase patient words past the retention period and rows past a year. Run hourly by :meth:`record`."""
        now = now or utc_now()
        text_cutoff = now - timedelta(days=self.retention_days)
        row_cutoff = now - timedelta(days=self.row_retention_days)

        def purge() -> PurgeResult:
            with self._writes, self.engine.begin() as db:
                deleted = db.execute(sa.delete(turns).where(turns.c.time < row_cutoff)).rowcount
                erased = db.execute(
                    sa.update(turns)
                    .where(turns.c.time < text_cutoff, sa.or_(turns.c.message.isnot(None), turns.c.comment.isnot(None)))
                    .values(message=None, comment=None)
                ).rowcount
                db.execute(sa.delete(reviews).where(reviews.c.time < text_cutoff))
            return PurgeResult(texts_erased=erased, rows_deleted=deleted)

        return self._run("delete expired records", purge)

    def import_feedback(self, path: str | Path, *, keep_questions: bool = False) -> int:
        """Load the old JSON-lines feedback file (one rated turn per line); returns the number of rows.

        The file stored questions word for word; they are imported (scrubbed) only with
        ``keep_questions``, i.e. when the clinic has turned message storage on, and dropped otherwise.
        """
        path = Path(path)
        rows = []
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if not line.strip():
                continue
            try:
                data = json.loads(line)
                stamp = datetime.fromisoformat(str(data["time"]))
                rating = str(data["rating"])
                if rating not in RATINGS:
                    raise ValueError(f"unknown rating {rating!r}")
            except (ValueError, KeyError, TypeError) as error:
                raise StorageError(f"{path}:{number}: not a feedback record ({error})") from None
            if stamp.tzinfo is not None:
                stamp = stamp.astimezone(timezone.utc).replace(tzinfo=None)
            rows.append(
                {
                    "time": stamp,
                    "conversation": f"imported-{number}",
                    "kind": str(data.get("kind") or "answer"),
                    "pair_id": data.get("pair_id"),
                    "matched_question": data.get("matched_question"),
                    "confidence": float(data.get("confidence") or 0.0),
                    "procedure": None,
                    "message": _scrubbed(data.get("question")) if keep_questions else None,
                    "rating": rating,
                    "comment": None,
                    "rated_at": stamp,
                }
            )
        if rows:
            self._run("import feedback", lambda: self._execute(sa.insert(turns), rows))
        return len(rows)

    # --- reading -----------------------------------------------------------------------------

    def turns(self, *, since: datetime | None = None) -> list[dict[str, Any]]:
        """Every turn since ``since`` (all if None), oldest first, as plain dicts for the insight code."""
        query = sa.select(turns).order_by(turns.c.time, turns.c.id)
        if since is not None:
            query = query.where(turns.c.time >= since)
        return self._run("read turns", lambda: self._fetch(query))

    def reviews(self) -> list[dict[str, Any]]:
        """Staff decisions, oldest first."""
        return self._run("read reviews", lambda: self._fetch(sa.select(reviews).order_by(reviews.c.id)))

    def count(self) -> int:
        """How many turns are stored (the benchmark counts lost records with it)."""

        def count() -> int:
            with self.engine.connect() as db:
                return int(db.execute(sa.select(sa.func.count()).select_from(turns)).scalar_one())

        return self._run("count turns", count)

    def check(self) -> None:
        """Prove the database can be written right now (a write rolled back); raises :class:`StorageError`."""

        def probe() -> None:
            with self.engine.connect() as db, db.begin() as transaction:
                db.execute(sa.insert(reviews).values(time=utc_now(), question="probe", decision="probe", staff="probe"))
                transaction.rollback()

        self._run("write to the database", probe)

    def dispose(self) -> None:
        """Close every pooled connection (tests and the benchmark; a server keeps its store for its lifetime)."""
        self.engine.dispose()

    # --- internals ---------------------------------------------------------------------------

    def _execute(self, statement: sa.Executable, parameters: Any = None) -> None:
        with self._writes, self.engine.begin() as db:
            db.execute(statement, parameters) if parameters is not None else db.execute(statement)

    def _fetch(self, query: sa.Select[Any]) -> list[dict[str, Any]]:
        with self.engine.connect() as db:
            return [dict(row._mapping) for row in db.execute(query)]

    def _run(self, action: str, function: Any) -> Any:
        """Run ``function``; any database or disk error becomes one StorageError line naming the database."""
        try:
            return function()
        except (SQLAlchemyError, OSError) as error:
            reason = getattr(error, "orig", None) or error
            text = " ".join(str(reason).split())[:300]
            raise StorageError(f"could not {action} in {self.where}: {text}") from error

    def _purge_now_and_then(self) -> None:
        """Retention runs inside normal traffic, at most hourly per process, so no cron job is needed."""
        now = time.monotonic()
        if now < self._next_purge or not self._purge_lock.acquire(blocking=False):
            return
        try:
            self._next_purge = now + PURGE_EVERY_SECONDS
            self.purge()
        except StorageError:
            _log.exception("retention purge failed")
        finally:
            self._purge_lock.release()


def import_feedback_once(store: TurnStore, path: Path, *, keep_questions: bool = False) -> int:
    """Import an old feedback file and rename it to ``*.imported``, so it is imported once, by one process.

    The rename comes first: of several replicas starting together only one wins it. Returns the
    number of ratings imported (0 when there is no file).
    """
    claimed = path.with_name(path.name + ".imported")
    try:
        path.rename(claimed)
    except FileNotFoundError:
        return 0
    except OSError as error:
        raise StorageError(f"cannot move {path} aside to import it: {error.strerror or error}") from None
    return store.import_feedback(claimed, keep_questions=keep_questions)


def _clinic_retention_days() -> int:
    """``retention_days`` from the clinic's ``clinic.yaml`` (``CHATBOT_FAQ_DIR`` or the shipped ``faq/``)."""
    folder = os.environ.get("CHATBOT_FAQ_DIR", "").strip() or None
    return ClinicSettings.from_file(KnowledgeBasePaths.at(folder).clinic).retention_days


def prepare_data_dir(folder: Path) -> Path:
    """Create the data folder owner-only (0700) and prove it is writable; StorageError naming it otherwise."""
    folder = folder.expanduser()
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        probe = folder / f".write-test-{os.getpid()}-{threading.get_ident()}"
        probe.write_bytes(b"")
        probe.unlink()
        database = folder / DATABASE_FILE
        if not database.exists():
            os.close(os.open(database, os.O_CREAT | os.O_WRONLY, 0o600))
    except OSError as error:
        raise StorageError(f"data folder {folder} is not writable: {error.strerror or error}") from None
    for path in (folder, folder / DATABASE_FILE):
        mode = path.stat().st_mode & 0o777
        if mode & 0o077:
            _log.warning("%s can be read by other users (mode %03o): run `chmod go= %s`", path, mode, path)
    return folder


def _scrubbed(text: str | None) -> str | None:
    if text is None or not text.strip():
        return None
    return scrub(text.strip()[:MAX_TEXT])


def _engine(url: sa.URL) -> Engine:
    """An engine tuned per backend: WAL and a busy timeout for SQLite, short connect timeouts for servers."""
    if url.get_backend_name() == "sqlite":
        engine = sa.create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})

        @sa.event.listens_for(engine, "connect")
        def _pragmas(connection: Any, _record: Any) -> None:
            cursor = connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.close()

        return engine
    connect_args = {"connect_timeout": 5} if url.get_backend_name() == "postgresql" else {}
    return sa.create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=20, connect_args=connect_args)


# --- command line ------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m chatbot.storage``: check the database, purge expired records, import an old feedback file."""
    parser = argparse.ArgumentParser(prog="python -m chatbot.storage", description=__doc__.splitlines()[0])
    parser.add_argument("--url", default=None, help=f"database URL (default: {DATABASE_URL_ENV} or SQLite)")
    parser.add_argument("--data-dir", type=Path, default=None, help=f"data folder (default: {DATA_DIR_ENV})")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("check", help="open the database and prove it can be written")
    purge = commands.add_parser("purge", help="delete patient words past the retention period")
    purge.add_argument("--retention-days", type=int, default=None, help="default: retention_days in clinic.yaml")
    importer = commands.add_parser("import-feedback", help="import the old feedback.jsonl once")
    importer.add_argument("file", type=Path)
    importer.add_argument("--keep-questions", action="store_true", help="keep the questions (scrubbed)")
    args = parser.parse_args(argv)
    try:
        days = getattr(args, "retention_days", None) or _clinic_retention_days()
        store = TurnStore.open(args.url, data_dir=args.data_dir, retention_days=days)
        if args.command == "check":
            store.check()
            print(f"{store.where}: writable, {store.count()} turns")
        elif args.command == "purge":
            result = store.purge()
            print(f"{store.where}: {result.texts_erased} texts erased, {result.rows_deleted} rows deleted")
        else:
            count = store.import_feedback(args.file, keep_questions=args.keep_questions)
            print(f"{store.where}: {count} ratings imported from {args.file}")
    except (ChatbotError, OSError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
