"""Patient-information chatbot for pain clinics: answers only from the clinic's approved documents."""

from __future__ import annotations

from .bot import Chatbot, Conversation
from .errors import ChatbotError, KnowledgeBaseError, NotFittedError
from .reply import Option, Reply, Source
from .settings import ClinicSettings

__all__ = [
    "Chatbot",
    "ChatbotError",
    "ClinicSettings",
    "Conversation",
    "KnowledgeBaseError",
    "NotFittedError",
    "Option",
    "Reply",
    "Source",
]
