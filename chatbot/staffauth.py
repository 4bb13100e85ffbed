"""Sign-in for the staff workspace: salted scrypt hashes, and a slow-down after wrong passwords.

Passwords are never stored, only ``scrypt$n$r$p$salt$key`` hashes (standard-library scrypt, so no
extra package): in Streamlit secrets (``.streamlit/secrets.toml``, ``[staff_users]`` table, one
``name = "hash"`` line each) or in the environment (``CHATBOT_STAFF_USERS="alice=scrypt$… bob=scrypt$…"``),
never in the repository. Make a hash with::

    python -m chatbot.staffauth            # asks for the password twice, prints the hash

After a few wrong passwords for one name (or many across names) the workspace refuses further
tries for a growing wait (2 s, 4 s, 8 s … up to 5 minutes), so guessing is slow even from many
browser tabs: the :class:`Throttle` is shared by the whole workspace process.
"""

from __future__ import annotations

import base64
import getpass
import hashlib
import hmac
import os
import secrets
import sys
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

__all__ = ["USERS_ENV", "Throttle", "hash_password", "read_users", "verify_password"]

USERS_ENV = "CHATBOT_STAFF_USERS"
_N, _R, _P = 2**14, 8, 1
_MIN_PASSWORD = 10


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def hash_password(password: str, *, salt: bytes | None = None) -> str:
    """A salted scrypt hash of ``password`` as one line of text."""
    salt = salt if salt is not None else secrets.token_bytes(16)
    key = hashlib.scrypt(password.encode(), salt=salt, n=_N, r=_R, p=_P, dklen=32)
    return f"scrypt${_N}${_R}${_P}${_b64(salt)}${_b64(key)}"


def verify_password(password: str, hashed: str) -> bool:
    """Whether ``password`` matches ``hashed``; a malformed hash never matches (and never raises)."""
    try:
        scheme, n, r, p, salt, key = hashed.split("$")
        if scheme != "scrypt":
            return False
        expected = _unb64(key)
        found = hashlib.scrypt(password.encode(), salt=_unb64(salt), n=int(n), r=int(r), p=int(p), dklen=len(expected))
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(found, expected)


def read_users(
    secrets_users: Mapping[str, str] | None = None, environ: Mapping[str, str] | None = None
) -> dict[str, str]:
    """Staff names and their hashes: from Streamlit secrets' ``[staff_users]``, then ``CHATBOT_STAFF_USERS``."""
    users = {str(name).strip().lower(): str(value).strip() for name, value in (secrets_users or {}).items()}
    environ = os.environ if environ is None else environ
    for item in environ.get(USERS_ENV, "").split():
        name, _, hashed = item.partition("=")
        if name.strip() and hashed.strip():
            users[name.strip().lower()] = hashed.strip()
    return users


@dataclass
class Throttle:
    """Counts wrong passwords per name and in total; after ``free`` misses each try must wait longer.

    ``clock`` is injectable so the tests can move time without sleeping.
    """

    free: int = 3
    total_free: int = 20
    base_delay: float = 2.0
    max_delay: float = 300.0
    clock: Callable[[], float] = time.monotonic
    _failures: dict[str, int] = field(default_factory=dict)
    _last: dict[str, float] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def wait(self, name: str) -> float:
        """Seconds before ``name`` may try again (0 when it may try now)."""
        with self._lock:
            now = self.clock()
            return max(self._wait(name.lower(), self.free, now), self._wait("*", self.total_free, now))

    def failed(self, name: str) -> None:
        with self._lock:
            now = self.clock()
            for key in (name.lower(), "*"):
                self._failures[key] = self._failures.get(key, 0) + 1
                self._last[key] = now

    def succeeded(self, name: str) -> None:
        with self._lock:
            self._failures.pop(name.lower(), None)
            self._last.pop(name.lower(), None)

    def _wait(self, key: str, free: int, now: float) -> float:
        over = self._failures.get(key, 0) - free
        if over < 0:
            return 0.0
        delay = min(self.base_delay * 2**over, self.max_delay)
        return max(0.0, self._last[key] + delay - now)


def main() -> int:
    """Ask for a password twice and print its hash, for secrets.toml or CHATBOT_STAFF_USERS."""
    first = getpass.getpass("New staff password: ")
    if len(first) < _MIN_PASSWORD:
        print(f"error: use at least {_MIN_PASSWORD} characters", file=sys.stderr)
        return 2
    if getpass.getpass("Again: ") != first:
        print("error: the two passwords differ", file=sys.stderr)
        return 2
    print(hash_password(first))
    return 0


if __name__ == "__main__":
    sys.exit(main())
