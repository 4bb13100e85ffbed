"""TEMPORARY SKELETON - replaced by the real engine shortly."""

from __future__ import annotations

from pathlib import Path

from .reply import Reply, Source
from .settings import ClinicSettings

DEFAULT_KB = Path(__file__).resolve().parent.parent / "faq"
MAX_MESSAGE_CHARS = 1000


class Chatbot:
    def __init__(self, settings: ClinicSettings) -> None:
        self.settings = settings
        self.notice = (
            "I share general information from the clinic's documents; this is not medical advice. "
            f"In an emergency call {settings.emergency_number}."
        )
        self.starter_questions = (
            "What is a cervical rhizotomy?",
            "How long does the relief last?",
            "What are the risks?",
            "How do I prepare for a percutaneous rhizotomy?",
            "What is recovery like?",
        )

    @classmethod
    def load(cls, path: str | Path | None = None) -> Chatbot:
        folder = Path(path) if path is not None else DEFAULT_KB
        return cls(ClinicSettings.from_file(folder / "clinic.yaml"))

    def ask(self, question: str) -> Reply:
        if "recovery" in question.lower():
            return Reply(
                kind="answer",
                text="Recovery from this procedure is swift, allowing you to resume your daily activities and work promptly.",
                confidence=0.8,
                sources=(Source("Percutaneous Rhizotomy Procedure", "percutaneous-rhizotomy.txt", "Quick Recovery Period"),),
                matched_question="What is recovery like after percutaneous rhizotomy?",
                suggestions=("How long does the relief last?",),
                passage="Recovery from this procedure is swift, allowing you to resume your daily activities and work promptly.",
                pair_id="percutaneous-rhizotomy-recovery",
            )
        if "fever" in question.lower():
            return Reply(kind="emergency", text=f"Call {self.settings.emergency_number} now.", confidence=1.0)
        if question.strip() == "recovery?":
            return Reply(kind="clarify", text="Which procedure do you mean?", suggestions=("Neck (cervical) rhizotomy", "Percutaneous rhizotomy"))
        return Reply(kind="fallback", text="The clinic's documents do not cover that question. " + self.settings.contact_line)

    def conversation(self) -> Conversation:
        return Conversation(self)


class Conversation:
    def __init__(self, bot: Chatbot) -> None:
        self.bot = bot
        self.turns = 0

    def ask(self, message: str) -> Reply:
        self.turns += 1
        return self.bot.ask(message)
