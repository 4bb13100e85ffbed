"""One-click fixes from the staff workspace: a declined question becomes a phrasing of a pair.

Staff pick the pair that answers a question patients asked; :func:`add_phrasing` appends it to
``curated.yaml`` as ``- extends: <pair id> / variants: [<question>]``, as a text edit, so the
file's comments and hand layout stay as staff wrote them. :func:`rebuild_live` then runs the
normal build (all or nothing, ``pairs.yaml`` replaced by a rename) and makes the new knowledge
base live in this process with :func:`chatbot.serving.reload_bot`; the patient page notices the
new ``pairs.yaml`` on its next message. If the build or the load fails, ``curated.yaml`` and
``pairs.yaml`` are put back as they were, so the live knowledge base is untouched, and the error
says why.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from .bot import Chatbot
from .build import BuildResult, build
from .curated import read_curated
from .errors import ChatbotError, KnowledgeBaseError
from .pairs import atomic_write
from .paths import KnowledgeBasePaths
from .reply import Reply
from .serving import reload_bot

__all__ = ["Decision", "add_phrasing", "explain", "propose", "rebuild_live"]


class FixError(ChatbotError):
    """A fix could not be applied; the knowledge base is as it was."""


def add_phrasing(paths: KnowledgeBasePaths, pair_id: str, phrasing: str) -> None:
    """Append ``phrasing`` as a variant of ``pair_id`` to ``curated.yaml``; validated before it is written."""
    phrasing = " ".join(phrasing.split())
    if not phrasing:
        raise FixError("the phrasing is empty")
    if len(phrasing) > 300:
        raise FixError("the phrasing is over 300 characters: shorten it to the question itself")
    path = paths.curated
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    entry = [f"- extends: {pair_id}", "  variants:", f"    - {json.dumps(phrasing, ensure_ascii=False)}"]
    updated = _insert_into_pairs(text, entry)
    candidate = path.with_name(f".{path.name}.check")
    try:
        candidate.write_text(updated, encoding="utf-8")
        read_curated(candidate)
    except KnowledgeBaseError as error:
        raise FixError(f"the edit would break {path.name}: {error.reason}") from None
    finally:
        candidate.unlink(missing_ok=True)
    atomic_write(path, updated)


def _insert_into_pairs(text: str, entry: list[str]) -> str:
    """``text`` with ``entry`` added as the last item of the top-level ``pairs:`` list (created if missing)."""
    lines = text.splitlines()
    start = next((i for i, line in enumerate(lines) if re.match(r"pairs\s*:\s*(#.*)?$", line)), None)
    if start is None:
        block = ["pairs:", *(f"  {line}" for line in entry)]
        return "\n".join([*lines, *block]) + "\n"
    end = start + 1
    indent = "  "
    last_item = None
    while end < len(lines):
        line = lines[end]
        if line.strip() and not line.startswith((" ", "-", "#")):
            break
        if line.lstrip().startswith("- ") and last_item is None:
            indent = line[: len(line) - len(line.lstrip())]
        if line.strip() and not line.lstrip().startswith("#"):
            last_item = end
        end += 1
    at = (last_item + 1) if last_item is not None else start + 1
    return "\n".join([*lines[:at], *(indent + line for line in entry), *lines[at:]]) + "\n"


def rebuild_live(paths: KnowledgeBasePaths, *, restore_curated: str | None = None) -> tuple[BuildResult, Chatbot]:
    """Build ``pairs.yaml`` and make it live; on failure put the files back and raise :class:`FixError`.

    ``restore_curated`` is the text of ``curated.yaml`` before the edit being built, written back
    if the build fails so a rejected edit does not linger for the next build.
    """
    previous_pairs = paths.pairs.read_text(encoding="utf-8") if paths.pairs.exists() else None
    try:
        result = build(paths)
        bot = reload_bot(paths.root)
    except (ChatbotError, OSError) as error:
        if restore_curated is not None:
            atomic_write(paths.curated, restore_curated)
        if previous_pairs is not None and paths.pairs.exists() and paths.pairs.read_text("utf-8") != previous_pairs:
            atomic_write(paths.pairs, previous_pairs)
        raise FixError(f"the rebuild failed, the live knowledge base is unchanged: {error}") from None
    return result, bot


@dataclass(frozen=True)
class Decision:
    """What the test pane shows: the reply, the pair the bot would pick with no threshold, and why."""

    reply: Reply
    threshold: float | None
    candidate: Reply | None
    reason: str
    candidates: tuple[tuple[str, str, float], ...] = ()
    """The answerer's candidates, most probable first: (pair id, its question, probability)."""


CANDIDATES_SHOWN = 5
"""How many of the answerer's candidates the test pane lists."""

PROPOSAL_MINIMUM = 0.05
"""Below this score a "best" pair shares nothing real with the question: proposing it wastes staff time."""


def propose(low_bot: Chatbot, question: str, *, minimum: float = PROPOSAL_MINIMUM) -> Reply | None:
    """The answer ``low_bot`` (the same knowledge base loaded with threshold 0) would give, or None."""
    reply = low_bot.ask(question)
    return reply if reply.kind == "answer" and reply.pair_id and reply.confidence >= minimum else None


def explain(bot: Chatbot, low_bot: Chatbot | None, question: str) -> Decision:
    """Ask ``bot`` as a patient would, and say in a sentence why the reply is what it is."""
    reply = bot.ask(question)
    threshold = getattr(bot, "threshold", None)
    candidate = propose(low_bot, question) if low_bot is not None else None
    limit = f"{threshold:.2f}" if isinstance(threshold, float) else "the threshold"
    if reply.kind == "emergency":
        rule = f" {reply.tags[1]!r}" if len(reply.tags) > 1 else ""
        reason = f"The red-flag rule{rule} (safety.yaml) matched: emergency guidance comes before any answer."
    elif reply.kind in ("smalltalk", "handoff"):
        reason = f"Recognised as {'small talk' if reply.kind == 'smalltalk' else 'a request for a person'}."
    elif reply.kind == "clarify":
        reason = "Several procedures fit equally well, so the bot asks which one is meant."
    elif reply.kind == "answer":
        reason = f"Answered: confidence {reply.confidence:.2f} reached {limit}."
    elif candidate is not None:
        reason = (
            f"Declined: the best pair, {candidate.pair_id!r}, scored {candidate.confidence:.2f}, below {limit}. "
            "If it does answer the question, add the question as a phrasing of that pair."
        )
    else:
        reason = "Declined: no pair in the knowledge base is close to this question."
    if reply.safety_net:
        reason = f"{reason} {_safety_reason(bot, question)}"
    ranked = tuple(
        (c.pair.id, c.pair.question, c.probability)
        for c in bot.answerer_.decide(question).candidates[:CANDIDATES_SHOWN]
    )
    return Decision(reply, threshold if isinstance(threshold, float) else None, candidate, reason, ranked)


def _safety_reason(bot: Chatbot, question: str) -> str:
    """Why urgent advice is shown above the reply: the rules, or the learned safety net, and its probability."""
    found = bot.safety.assess(question)
    alarm = bot.alarm
    if found.reported is not None:
        return (
            f"The red-flag rule {found.reported.name!r} matched, but the learned safety net reads the message as "
            f"history or a risk (probability of a report {alarm.report_probability(question):.2f}, under "
            f"{alarm.doubt:.2f}): the rule's advice is shown above the answer instead of replacing it."
        )
    if found.asked is not None:
        return f"The question takes a red-flag symptom as present (rule {found.asked.name!r}): its advice comes first."
    suspicion = alarm.suspect(question, rules=bot.safety.names, denied=found.denied)
    if suspicion is None:
        return ""
    advice = f"the advice of rule {suspicion.rule!r}" if suspicion.rule else "general urgent advice"
    return (
        f"No red-flag rule matched, but the learned safety net reads the message as a likely report (probability "
        f"{suspicion.probability:.2f}, at least {alarm.threshold:.2f}): {advice} comes first. If it is a report, add "
        "its words to safety.yaml."
    )
