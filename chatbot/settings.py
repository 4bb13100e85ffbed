"""The clinic's own details: name, phone numbers, hours, links and colours.

They live in ``faq/clinic.yaml`` so a clinic changes its phone number without touching code.
Every field has a sensible default, so a missing file or a missing field still yields a bot that
tells patients to call the emergency number.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from pathlib import Path

from .errors import KnowledgeBaseError
from .yamlfile import LocatedDict, check_keys, read_yaml, require_str, str_list

__all__ = ["ClinicSettings"]

_TYPED = frozenset({"starter_questions", "store_patient_messages", "retention_days"})


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

    @classmethod
    def from_file(cls, path: str | Path) -> ClinicSettings:
        """Read ``path``; a missing file means "use the defaults", a malformed one is an error."""
        path = Path(path)
        data = read_yaml(path, missing_ok=True)
        if data is None:
            return cls()
        names = tuple(f.name for f in fields(cls))
        mapping = check_keys(data, path, what="clinic settings", optional=names, line=1)
        values: dict[str, object] = {
            "starter_questions": str_list(mapping, "starter_questions", path, what="clinic settings"),
            **_recording(mapping, path),
        }
        for name in names:
            if name not in _TYPED and mapping.get(name) not in (None, ""):
                values[name] = require_str(mapping, name, path, what="clinic settings")
        settings = cls(**values)  # type: ignore[arg-type]
        if not settings.emergency_number.strip():
            raise KnowledgeBaseError(path, mapping.line_of("emergency_number"), "emergency_number must not be empty")
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
