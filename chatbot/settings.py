"""The clinic's own details: name, phone numbers, hours, links and colours.

They live in ``faq/clinic.yaml`` so a clinic changes its phone number without touching code.
Loading fails closed: a missing or malformed file, or one still holding the example numbers it
ships with, stops the bot from loading instead of sending patients with an urgent problem to
"the clinic's main number". Only a file that says ``demonstration: true`` may use example
numbers (the shipped ``faq/clinic.yaml`` does, so the chat starts out of the box).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, fields
from pathlib import Path

from .errors import KnowledgeBaseError
from .yamlfile import LocatedDict, check_keys, read_yaml, require_str, str_list

__all__ = ["ClinicSettings", "is_placeholder_phone"]

REQUIRED = ("name", "phone", "urgent_phone", "emergency_number")
"""What a patient is told to call: a clinic must write these itself, defaults would send patients nowhere."""
_EXAMPLE_NAMES = frozenset({"riverside pain clinic", "the pain clinic"})
_FICTIONAL = (
    re.compile(r"^1?555\d{7}$"),  # area code 555: not assigned, used in examples
    re.compile(r"^(1?\d{3})?55501\d\d$"),  # 555-0100 to 555-0199: reserved for fiction in North America
)


def is_placeholder_phone(number: str) -> bool:
    """Whether ``number`` cannot reach a clinic: no digits to dial ("the clinic's main number") or a fictional one."""
    digits = re.sub(r"\D", "", number)
    return len(digits) < 3 or any(pattern.match(digits) for pattern in _FICTIONAL)


_TYPED = frozenset({"starter_questions", "store_patient_messages", "retention_days", "answer_threshold"})
LOWEST_THRESHOLD, HIGHEST_THRESHOLD = 0.5, 0.99
"""The answer thresholds a clinic may choose: below 0.5 the bot would give a passage it thinks more
likely wrong than right; above 0.99 it would decline questions asked in the clinic's own words
(a pair's phrasings are answered at 0.999)."""


@dataclass(frozen=True)
class ClinicSettings:
    """Contact details and branding; every reply that sends a patient somewhere reads them here."""

    name: str = "The Pain Clinic"
    phone: str = "the clinic's main number"
    urgent_phone: str = "the clinic's main number"
    hours: str = "Monday to Friday, 8 am to 5 pm"
    emergency_number: str = "911"
    crisis_line: str = "988 (Suicide & Crisis Lifeline: call or text)"
    portal_url: str = ""
    email: str = ""
    primary_color: str = "#1f6f8b"
    logo: str = ""
    starter_questions: tuple[str, ...] = ()
    procedure: str = ""
    """The one procedure a single-procedure clinic's conversations are about ("" for all)."""
    store_patient_messages: bool = False
    """Keep what patients type (scrubbed, see ``chatbot/scrub.py``) so staff see declined questions."""
    retention_days: int = 30
    """Days a stored message or comment is kept before it is deleted."""
    demonstration: bool = False
    answer_threshold: float | None = None
    """The probability at or above which a question is answered (``None``: the answer model's own
    threshold, ``model.json``). Higher means fewer wrong answers and more questions declined with
    the likely questions offered to tap (README.md: "Choosing how sure the bot must be")."""

    @classmethod
    def from_file(cls, path: str | Path) -> ClinicSettings:
        """Read and check ``path``; missing, malformed or placeholder details raise :class:`KnowledgeBaseError`."""
        path = Path(path)
        if not path.exists():
            raise KnowledgeBaseError(
                path, None, "file not found: the clinic's name and phone numbers are required (see faq/clinic.yaml)"
            )
        data = read_yaml(path)
        if data is None:
            raise KnowledgeBaseError(path, 1, "the file is empty: the clinic's name and phone numbers are required")
        names = tuple(f.name for f in fields(cls))
        mapping = check_keys(data, path, what="clinic settings", required=REQUIRED, optional=names, line=1)
        demonstration = mapping.get("demonstration", False)
        if not isinstance(demonstration, bool):
            raise KnowledgeBaseError(path, mapping.line_of("demonstration"), "'demonstration' must be true or false")
        values: dict[str, object] = {
            "starter_questions": str_list(mapping, "starter_questions", path, what="clinic settings"),
            **_recording(mapping, path),
            **_threshold(mapping, path),
            "demonstration": demonstration,
        }
        for name in names:
            if name not in _TYPED and name not in values and mapping.get(name) not in (None, ""):
                values[name] = require_str(mapping, name, path, what="clinic settings")
        settings = cls(**values)  # type: ignore[arg-type]
        if not demonstration:
            _refuse_placeholders(settings, mapping, path)
        return settings

    @property
    def contact_line(self) -> str:
        """One sentence telling a patient how to reach the care team."""
        parts = [f"call {self.name} on {self.phone} ({self.hours})"]
        if self.portal_url:
            parts.append(f"send a message through the patient portal ({self.portal_url})")
        if self.email:
            parts.append(f"email {self.email}")
        return "To reach the care team, " + ", or ".join(parts) + "."


def _recording(mapping: LocatedDict, path: Path) -> dict[str, object]:
    """The privacy settings, checked strictly: a typo must not silently start storing messages."""
    values: dict[str, object] = {}
    store = mapping.get("store_patient_messages")
    if store is not None:
        if not isinstance(store, bool):
            line = mapping.line_of("store_patient_messages")
            raise KnowledgeBaseError(path, line, "'store_patient_messages' must be true or false")
        values["store_patient_messages"] = store
    days = mapping.get("retention_days")
    if days is not None:
        if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= 3650:
            line = mapping.line_of("retention_days")
            raise KnowledgeBaseError(path, line, "'retention_days' must be a whole number of days from 1 to 3650")
        values["retention_days"] = days
    return values


def _threshold(mapping: LocatedDict, path: Path) -> dict[str, object]:
    """The clinic's answer threshold, if it chose one: a number in the range that keeps its own phrasings answered."""
    value = mapping.get("answer_threshold")
    if value is None:
        return {}
    number = isinstance(value, int | float) and not isinstance(value, bool)
    if not (number and LOWEST_THRESHOLD <= value <= HIGHEST_THRESHOLD):
        raise KnowledgeBaseError(
            path,
            mapping.line_of("answer_threshold"),
            f"'answer_threshold' must be a number from {LOWEST_THRESHOLD} to {HIGHEST_THRESHOLD} "
            "(leave it out to use the answer model's own threshold)",
        )
    return {"answer_threshold": float(value)}


def _refuse_placeholders(settings: ClinicSettings, mapping: LocatedDict, path: Path) -> None:
    """Example details left in a live setup would send a patient with an emergency to a number that rings nowhere."""
    fix = "put the clinic's own details here, or add `demonstration: true` for a demonstration setup"
    if settings.name.strip().lower() in _EXAMPLE_NAMES:
        raise KnowledgeBaseError(path, mapping.line_of("name"), f"name {settings.name!r} is the example name; {fix}")
    for field in ("phone", "urgent_phone"):
        number = getattr(settings, field)
        if is_placeholder_phone(number):
            raise KnowledgeBaseError(
                path, mapping.line_of(field), f"{field} {number!r} is an example number, not the clinic's; {fix}"
            )
