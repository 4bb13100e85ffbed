"""Red flags, crisis messages and personal medicine questions, found by staff-editable word rules.

Every patient message is checked here before anything else: a patient who writes "I can't feel my
legs" must be told to call the emergency number, not shown a paragraph about recovery times. The
words live in ``faq/safety.yaml`` so clinic staff can add the ones their patients use; this module
decides whether a match *counts*, because "no fever", "can rhizotomy cause paralysis?" and "I had
a fever last month" all mention a symptom without reporting one.

The rules are deterministic regular expressions rather than a trained model: a clinic must be able
to read, test and explain exactly why a message raised (or did not raise) an alarm.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import MISSING, dataclass, fields
from functools import cached_property
from pathlib import Path
from typing import Any, Literal

from .errors import KnowledgeBaseError
from .normalize import clean_input, normalize
from .reply import Reply
from .rules import check_template, fill_template, read_named_items, read_patterns, recheck_patterns, word_pattern
from .settings import ClinicSettings
from .yamlfile import LocatedDict, check_keys, read_yaml, require_str

__all__ = [
    "Assessment",
    "Context",
    "DecisionRules",
    "RedFlag",
    "Rule",
    "SafetyRules",
]

NEGATION_WORDS = 4
"""Words allowed between a negation and the symptom ("I don't have any sort of fever")."""

FIRST_PERSON_WORDS = 3
"""Words allowed between "I have"/"my" and the symptom ("I have a really high fever").

The same distance applies to a carer's "he"/"she"/"her" ("now she's having trouble breathing").
"""

RISK_QUESTION_WORDS = 8
"""Words allowed between a risk-question cue and the symptom it asks about.

"whats the risk of nerve damage or paralysis" has four; a cue further back in a long clause is
more likely about something else ("I wondered about parking ... now the site is full of pus").
"""

RISK_AFTER_WORDS = 3
"""Words allowed between a symptom and a ``risk_after`` word ("paralysis - is that a risk?")."""

RISK_LATER_CLAUSES = 2
"""How many clauses after a symptom a question of how likely it is (``risk_later``) may come.

"Dad is 81 and 'paralysis' was on his consent form. It's frightened the whole family. How likely
is that really?" asks two clauses on.
"""

LATER_RESOLVED_CLAUSES = 2
"""How many clauses after a symptom a short "all fine now" may come and still say it is over.

"my leg was numb for a couple of hours, that was expected they said, all fine now".
"""

SHORT_CLAUSE_WORDS = 4
"""Most words a clause may have to count as a bare "it's over" ("gone now", "its completely dry now")."""

RESOLVED_WORDS = 3
"""Words allowed between the symptom and the cue that it is over ("my fever from yesterday has gone")."""

IGNORE_AFTER_WORDS = 0
"""Words allowed between an ``ignore_after`` word and the symptom: none ("hay fever", "not suicidal").

Any gap would let "no, I want to die" typed without its comma read as a denial.
"""

LOOKAROUND_CHARS = 120
"""How far around a match the context cues are looked for; bounds the work on very long messages."""

FORM_LABEL_WORDS = 3
"""Words besides the symptom a form-style label may have ("any fever or chills? no")."""

_CLAUSE_PUNCTUATION = re.compile(r"[.!?]+(?=\s|$)|[\r\n,;:()\[\]{}…–—]+|\s-+\s|\.{2,}")
"""Punctuation that ends a clause. A full stop inside "38.5" does not."""

_BULLET = re.compile(r"\s*(?:[-*+•‣◦▪]|\d{1,2}[.)])\s")
"""The start of a list item ("- paralysis?", "2. infection")."""

_NEGATIVE_WORD = re.compile(
    r"(?<!\w)(?:no|not|never|cant|cannot|couldnt|wont|wouldnt|isnt|arent|wasnt|werent|doesnt|dont|didnt|"
    r"hasnt|havent|hadnt|unable)(?!\w)"
)
"""Negative words, which inside a match either belong to the symptom ("not breathing") or deny it ("not numb")."""

_RULE_NAME = re.compile(r"[a-z][a-z0-9_]*")


@dataclass(frozen=True)
class RedFlag:
    """A symptom that needs urgent care (``emergency``) or thoughts of self-harm (``crisis``)."""

    kind: Literal["emergency", "crisis"]
    name: str
    matched: str


@dataclass(frozen=True)
class Assessment:
    """What a message says about red-flag symptoms: one it ``reported`` (urgent care now), and,
    when it reports none, one it only ``asked`` about ("is it normal to have a fever after?")."""

    reported: RedFlag | None = None
    asked: RedFlag | None = None
    denied: frozenset[str] = frozenset()
    """The rules whose symptom the message names only to deny it ("I'm not having any chest
    pain", "Fever: no"), when it reports none: the learned safety net gives no advice for those
    (see :meth:`chatbot.alarm.AlarmModel.suspect`)."""


Verdict = Literal["reports", "asks", "denied", "no"]
"""What a symptom match does in its message: reports the symptom, asks about it (a question about
a risk, or whether it is normal), denies it ("no fever"), or none of these (over, in the past,
someone else's)."""


@dataclass(frozen=True)
class Rule:
    """One red-flag rule: the words that report a symptom and what to tell the patient.

    ``patterns`` and ``ignore_after`` are the regular expressions as staff wrote them;
    :class:`SafetyRules` compiles them once, together, so a message is scanned in one pass.
    """

    name: str
    kind: Literal["emergency", "crisis"]
    reply: str
    advice: str
    patterns: tuple[str, ...]
    ignore_after: tuple[str, ...] = ()
    any_mention: bool = False


@dataclass(frozen=True)
class Context:
    """The cue words that decide whether a symptom match is a report (see :meth:`SafetyRules.check`).

    The last six are optional in the file (a clinic's older ``safety.yaml`` stays valid); without
    them form-style answers, other people's past symptoms, carers' reports ("now she's having
    trouble breathing"), risk words after a symptom ("paralysis risk?") and a later "how likely is
    that?" are judged like any other clause, and no question gets a safety net (``presupposed``, see
    :meth:`SafetyRules.assess`).
    """

    clause_breaks: re.Pattern[str]
    negation: re.Pattern[str]
    first_person: re.Pattern[str]
    hypothetical: re.Pattern[str]
    current_time: re.Pattern[str]
    past_time: re.Pattern[str]
    resolved: re.Pattern[str]
    refers_back: re.Pattern[str]
    risk_question: re.Pattern[str]
    answered_no: re.Pattern[str] | None = None
    someone_else: re.Pattern[str] | None = None
    other_person: re.Pattern[str] | None = None
    risk_after: re.Pattern[str] | None = None
    risk_later: re.Pattern[str] | None = None
    presupposed: re.Pattern[str] | None = None


@dataclass(frozen=True)
class DecisionRules:
    """A personal medicine question has an ``asking`` phrase and a ``medicine`` word."""

    asking: re.Pattern[str]
    medicine: re.Pattern[str]
    caveat: str


_CONTEXT_KEYS = tuple(field.name for field in fields(Context) if field.default is MISSING)
_OPTIONAL_CONTEXT_KEYS = tuple(field.name for field in fields(Context) if field.default is not MISSING)


class _Message:
    """The clauses of one message, and which context cues each holds, each looked up at most once.

    Whether a clause holds a past-time cue does not depend on which match in it is being judged.
    A 20,000-character message without punctuation is one clause with hundreds of matches, and
    searching it again for each of them would make the check quadratic.
    """

    def __init__(self, clauses: list[str], headings: list[int], context: Context) -> None:
        self.clauses = clauses
        self.headings = headings
        self.context = context
        self._found: dict[tuple[str, int], bool] = {}

    def has(self, cue: str, index: int) -> bool:
        """Whether clause ``index`` holds a cue of ``context.<cue>`` (never, for an optional cue the file lacks)."""
        key = (cue, index)
        found = self._found.get(key)
        if found is None:
            pattern: re.Pattern[str] | None = getattr(self.context, cue)
            found = pattern is not None and pattern.search(self.clauses[index]) is not None
            self._found[key] = found
        return found

    @cached_property
    def happening_now(self) -> bool:
        """Whether any clause says something is going on now ("now", "still", "lately")."""
        return any(self.has("current_time", index) for index in range(len(self.clauses)))

    @cached_property
    def asks(self) -> bool:
        """Whether any clause asks a question about risks or safety."""
        return any(self.has("risk_question", index) for index in range(len(self.clauses)))


class SafetyRules:
    """Finds red flags, crisis messages and personal medicine questions in patient messages.

    Parameters
    ----------
    rules:
        red-flag rules, most serious first: of the rules that fire anywhere in a message, the one
        listed first decides the reply.
    replies:
        reply template name → template using ``{advice}`` and clinic placeholders.
    context:
        the cue words that decide whether a match counts.
    decision:
        the personal-decision patterns and caveat.
    """

    def __init__(
        self, rules: tuple[Rule, ...], replies: dict[str, str], context: Context, decision: DecisionRules
    ) -> None:
        self.rules = tuple(rules)
        self.replies = dict(replies)
        self.context = context
        self.decision = decision
        self._by_name = {rule.name: rule for rule in self.rules}
        self._ignore_after = tuple(
            re.compile(word_pattern(_either(rule.ignore_after))) if rule.ignore_after else None for rule in self.rules
        )
        # One pass over the message for all rules: the scan costs time per character per pass, so
        # twelve separate passes over a 20,000-character message would cost twelve times as much.
        groups = "|".join(f"(?P<_rule{i}>{_either(rule.patterns)})" for i, rule in enumerate(self.rules))
        self._any = re.compile(word_pattern(groups))
        self._rule_of_group = {self._any.groupindex[f"_rule{i}"]: i for i in range(len(self.rules))}

    @cached_property
    def _patterns(self) -> tuple[re.Pattern[str], ...]:
        """Each rule's own pattern, compiled when a message first matches the combined one.

        Most messages match no rule, and compiling these took a twentieth of a second of every
        start, a command-line question included. (Every pattern was already compiled once on
        reading, so a mistake in one is still a load error.)
        """
        return tuple(re.compile(word_pattern(_either(rule.patterns))) for rule in self.rules)

    @classmethod
    def from_file(cls, path: str | Path) -> SafetyRules:
        """Read and validate ``path``; any mistake is a :class:`KnowledgeBaseError` with its line.

        A missing file is an error, not "no rules": the bot must never silently stop checking for
        emergencies because a file was renamed.
        """
        path = Path(path)
        data = check_keys(
            read_yaml(path),
            path,
            what="safety rules",
            required=("replies", "rules", "context", "personal_decision"),
            line=1,
        )
        replies = _read_replies(data, path)
        rules = _read_rules(data, path, replies)
        context_map = check_keys(
            data["context"],
            path,
            what="context",
            required=_CONTEXT_KEYS,
            optional=_OPTIONAL_CONTEXT_KEYS,
            line=data.line_of("context"),
        )
        context = Context(
            **{
                key: _alternatives(context_map, key, path, what="context")
                for key in (*_CONTEXT_KEYS, *_OPTIONAL_CONTEXT_KEYS)
                if key in context_map
            }
        )
        decision_map = check_keys(
            data["personal_decision"],
            path,
            what="personal_decision",
            required=("asking", "medicine", "caveat"),
            line=data.line_of("personal_decision"),
        )
        decision = DecisionRules(
            asking=_alternatives(decision_map, "asking", path, what="personal_decision"),
            medicine=_alternatives(decision_map, "medicine", path, what="personal_decision"),
            caveat=check_template(decision_map, "caveat", path, what="personal_decision"),
        )
        try:
            safety = cls(rules, replies, context, decision)
        except re.error as exc:
            _recheck_rules(data, path)
            raise KnowledgeBaseError(
                path, data.line_of("rules"), f"the patterns of the rules clash: {exc.msg}"
            ) from None
        if safety._any.fullmatch("") or any(p is not None and p.fullmatch("") for p in safety._ignore_after):
            _recheck_rules(data, path)  # one pattern alone matches empty text: names it
        return safety

    def check(self, text: str) -> RedFlag | None:
        """The first rule (in file order) with a match that reports a symptom, or ``None``.

        A match does not count, in this order of precedence, when

        0. a word of the rule's ``ignore_after`` list comes right before it ("hay fever",
           "not suicidal");
        1. a negation inside the matched words that the pattern can do without ("my legs are *not*
           numb") — or one up to four words before it, in the same clause ("no fever"). A negation
           the pattern needs ("he's not breathing", "won't wake up") is part of the symptom, and
           then a negation before it is emphasis ("no, he's not breathing"), not a denial;
        2. it is the whole of a form-style label answered "no" in the next clause ("Fever: no");
        3. it is said to be over right after it, or at the start of the next clause
           ("had a bad headache yesterday but it's gone now");
        4. its clause places it in the past with no sign it goes on ("a fever last month");
        5. — but a nearby first-person report ("I have", "I'm", "my") makes it count, even in a
           question ("I have a fever, is that normal?"), unless that report is hypothetical
           ("what if I have", "can it make my arms weak") or a risk word stands between ("I'm
           worried about paralysis"). A "my" inside the matched words only names a body part
           ("can it cause weakness in my arms?") and is no report;
        6. its clause tells of someone else's symptom in the past ("my friend had a fever") and
           nothing in the message is going on now;
        7. it is an item of a list under a heading that asks about risks in general ("Risks:" then
           "- paralysis?"; see :meth:`_risk_heading`);
        8. — but a carer's report of someone else ("now *she's* having trouble breathing", "*he*
           can't feel his legs") counts like a first-person one, with the same exceptions;
        9. a risk-question cue ("can it cause", "risk of", "what if", "is ... normal") comes
           *before* it in its clause. A question after a symptom asks for help with it ("temp
           39.1 this morning, is that ok?", "... her lips are swelling, what do we do"), so it
           does not cancel it (see :meth:`_asked_about`) — unless it is a word that asks about
           risk and nothing else, right after the symptom ("paralysis risk after SDR?"), or one
           of the next two clauses asks only how likely it is, and nothing is going on now
           ("... could leave him paralysed. Can that happen?", see :meth:`_asked_later`).

        Rules marked ``any_mention`` (thoughts of self-harm) skip steps 1 to 7: a question or a
        negation further away still counts. Only step 0 and :meth:`_past_question` set them aside.

        Anything else counts: a bare "chest pain" or "cant breath" is a report, because a false
        alarm costs a patient a few seconds and a missed emergency can cost much more.
        """
        return self.assess(text).reported

    def assess(self, text: str) -> Assessment:
        """The first rule (in file order) whose symptom ``text`` reports (see :meth:`check`) and,
        if there is none, the first whose symptom it asks about in words that take the symptom as
        present (``context.presupposed``: "is it normal for the wound to have pus in it", "should
        I be worried about pus at the needle site"; set aside by steps 7 and 9 of :meth:`check`).

        Such a question is answered as a question, but the patient asking it may well be having
        the symptom: the reply then carries the rule's urgent advice as a safety net
        (:meth:`safety_net`). A question about a possible risk ("could my daughter end up
        paralysed?", "how common is a spinal fluid leak?") gets none: urgent advice there would
        only frighten.
        """
        clauses, headings = _clauses(text, self.context.clause_breaks)
        joined = "\n".join(clauses)
        starts = _starts(clauses)
        message = _Message(clauses, headings, self.context)
        best: tuple[int, RedFlag] | None = None
        asked: tuple[int, RedFlag] | None = None
        denied: set[str] = set()
        pos = 0
        while (found := self._any.search(joined, pos)) is not None:
            first = self._rule_of_group[found.lastindex or 0]
            # A later rule may match at the same place (the combined pattern reports only the first).
            for index in range(first, best[0] if best else len(self.rules)):
                match = found if index == first else self._patterns[index].match(joined, found.start())
                if match is None:
                    continue
                clause = bisect_right(starts, match.start()) - 1
                begin, end = match.start() - starts[clause], match.end() - starts[clause]
                verdict = self._verdict(index, message, clause, begin, end)
                rule = self.rules[index]
                if verdict == "reports":
                    best = (index, RedFlag(rule.kind, rule.name, match.group(0)))
                    break
                if verdict == "denied":
                    denied.add(rule.name)
                presupposed = verdict == "asks" and message.has("presupposed", clause)
                if presupposed and (asked is None or index < asked[0]):
                    asked = (index, RedFlag(rule.kind, rule.name, match.group(0)))
            if best is not None and best[0] == 0:
                break
            pos = found.start() + 1
        if best is not None:
            return Assessment(reported=best[1])
        return Assessment(asked=asked[1] if asked else None, denied=frozenset(denied))

    def is_personal_decision(self, text: str) -> bool:
        """Whether ``text`` asks what the patient themself should do about a medicine.

        The documents can say that blood thinners are often paused before the procedure; they
        cannot say whether *this* patient should pause theirs, so such answers get a caveat.
        """
        words = normalize(text)
        return bool(self.decision.asking.search(words) and self.decision.medicine.search(words))

    def reply(self, flag: RedFlag, settings: ClinicSettings) -> Reply:
        """The urgent-care (or crisis) reply for ``flag``, with this clinic's numbers filled in."""
        rule = self._by_name.get(flag.name)
        if rule is None:
            raise ValueError(f"no safety rule named {flag.name!r}")
        advice = fill_template(rule.advice, settings)
        text = fill_template(self.replies[rule.reply], settings, advice=advice)
        return Reply(kind="emergency", text=text, confidence=1.0, tags=(flag.kind, flag.name))

    def safety_net(self, flag: RedFlag, settings: ClinicSettings) -> str:
        """The urgent-care reply of the rule a question asked about, for a patient who may be having the symptom now."""
        return f"If this is happening to you now: {self.reply(flag, settings).text}"

    @property
    def names(self) -> tuple[str, ...]:
        """The rules' names, in file order."""
        return tuple(rule.name for rule in self.rules)

    def safety_net_for(self, name: str, settings: ClinicSettings) -> str:
        """:meth:`safety_net` for the rule called ``name``, for a red flag found by other means
        than these rules (:mod:`chatbot.alarm`)."""
        rule = self._by_name.get(name)
        if rule is None:
            raise ValueError(f"no safety rule named {name!r}")
        return self.safety_net(RedFlag(rule.kind, rule.name, ""), settings)

    def decision_caveat(self, settings: ClinicSettings) -> str:
        """The sentence appended to answers to personal medicine questions."""
        return fill_template(self.decision.caveat, settings)

    def _verdict(self, rule_index: int, message: _Message, index: int, begin: int, end: int) -> Verdict:
        """Whether the match at ``clauses[index][begin:end]`` reports the symptom, asks about it, or
        neither (precedence in :meth:`check`)."""
        clauses = message.clauses
        clause = clauses[index]
        context = self.context
        denied, negative = self._negations_inside(rule_index, clause, begin, end)
        ignore_after = self._ignore_after[rule_index]
        if ignore_after is not None and not negative and _cue_before(ignore_after, clause, begin, IGNORE_AFTER_WORDS):
            return "no"
        if self.rules[rule_index].any_mention:
            return "no" if self._past_question(message, index) else "reports"
        # A negation that runs into the match counts too: "i dont have" denies "have a temperature",
        # though the match took the "have" of the negation "dont have".
        if denied or (not negative and _cue_reaching(context.negation, clause, begin, NEGATION_WORDS)):
            return "denied"
        if self._answered_no(message, index, begin, end):
            return "denied"
        if self._resolved(clauses, index, end):
            return "no"
        if message.has("past_time", index) and not message.has("current_time", index):
            return "no"
        if self._first_person(clause, begin, end):
            return "reports"
        if message.has("someone_else", index) and not message.happening_now:
            return "no"
        heading = message.headings[index]
        if heading >= 0 and self._risk_heading(message, heading):
            return "asks"
        if context.other_person is not None and self._reported(context.other_person, clause, begin, end, carer=True):
            return "reports"
        if message.has("risk_question", index) and self._asked_about(clause, begin):
            return "asks"
        if self._asked_later(message, index):
            return "asks"
        risk_after = context.risk_after
        return "asks" if risk_after is not None and _cue_after(risk_after, clause, end, RISK_AFTER_WORDS) else "reports"

    def _asked_about(self, clause: str, begin: int) -> bool:
        """Whether a risk-question cue starts before the match, at most eight words before it, in its clause.

        Word order is what tells a question about a risk from a report with a request for help:
        "can it cause paralysis?", "is a headache normal after?" and "what would an allergic
        reaction look like?" put the question first; "temperature 39.1 this morning, is that ok?"
        and "her lips are swelling what do we do" report first and then ask what to do. A cue that
        starts before the symptom and runs past it ("is weakness in the legs part of the normal
        recovery") counts as before.
        """
        return _cue_reaching(self.context.risk_question, clause, begin, RISK_QUESTION_WORDS)

    def _asked_later(self, message: _Message, index: int) -> bool:
        """Whether the symptom's clause tells a worry and one of the next clauses starts by asking
        how likely it is, with nothing in the message going on now.

        A worry told first and asked about after, as its own sentence ("My son has cerebral palsy.
        My biggest fear is it could leave him paralysed. Can that happen?"), is a question about a
        risk. Both halves are needed. The symptom's clause must speak of a possibility
        (``context.hypothetical``: "could leave", "might get") or hold a risk-question cue
        ("worried", "scared of"): "Dad's wound is oozing yellow stuff. Can that happen after this?"
        reports. The question must ask only how likely it is (``context.risk_later``: "how likely
        is that", "can that happen", "is that a real risk"), never whether it is normal or what to
        do. A first-person or carer's report, or any sign of now ("since", "still", "tonight"),
        keeps a report a report.
        """
        risk_later = self.context.risk_later
        if risk_later is None or message.happening_now:
            return False
        if not (message.has("hypothetical", index) or message.has("risk_question", index)):
            return False
        for later in message.clauses[index + 1 : index + 1 + RISK_LATER_CLAUSES]:
            cue = risk_later.search(later)
            if cue is not None and len(later[: cue.start()].split()) <= 1:
                return True
        return False

    def _negations_inside(self, rule_index: int, clause: str, begin: int, end: int) -> tuple[bool, bool]:
        """Whether a negative word inside the match denies the symptom, and whether one belongs to it.

        The rule's pattern decides: if it still matches without the word, the word only filled a
        gap such as ``(?:\\w+ ){0,2}`` and is the patient's denial ("my legs are *not* numb"); if
        it does not, the rule spelled the negation out as part of the symptom ("not breathing").
        """
        denied = negative = False
        for word in _NEGATIVE_WORD.finditer(clause, begin, end):
            without = " ".join((clause[begin : word.start()] + clause[word.end() : end]).split())
            if self._patterns[rule_index].fullmatch(without):
                denied = True
            else:
                negative = True
        return denied, negative

    def _risk_heading(self, message: _Message, heading: int) -> bool:
        """Whether a list's heading asks about risks in general ("Risks", "What are the side effects:").

        Not when it reports ("My side effects:") or points at the items ("Are these normal?"):
        then the items are the patient's own, as in "fever, is that normal?".
        """
        return (
            message.has("risk_question", heading)
            and not message.has("first_person", heading)
            and not message.has("refers_back", heading)
        )

    def _first_person(self, clause: str, begin: int, end: int) -> bool:
        """A real (not hypothetical) first-person cue starting before the match, at most three words before it."""
        return self._reported(self.context.first_person, clause, begin, end, carer=False)

    def _reported(self, cues: re.Pattern[str], clause: str, begin: int, end: int, *, carer: bool) -> bool:
        """A real (not hypothetical) cue of ``cues`` starting before the match, at most three words before it.

        A cue that starts inside the match is part of the symptom's own words ("weakness in *my*
        arms"), which a question about a risk uses as much as a report does. For a ``carer``'s
        "he"/"she" a modal between also makes it hypothetical ("he *might* get a fever"); the
        patient's own "I might have an infection" is a report, so it is not checked there.
        """
        context = self.context
        for cue in cues.finditer(clause, max(0, begin - LOOKAROUND_CHARS), end):
            if cue.start() > begin:
                break
            between = clause[cue.end() : begin] if cue.end() < begin else ""
            if len(between.split()) > FIRST_PERSON_WORDS or context.risk_question.search(between):
                continue
            if _cue_before(context.hypothetical, clause, cue.start(), 0):
                continue
            if carer and context.hypothetical.search(between):
                continue
            return True
        return False

    def _answered_no(self, message: _Message, index: int, begin: int, end: int) -> bool:
        """Whether the match is a form-style label that the next clause answers "no" ("Fever: no. Pus: none").

        The label may hold at most three other words ("any fever or chills") and no first-person
        cue, so "I can't breathe. No!" still counts: there the "no" is a cry, not an answer.
        """
        answered_no = self.context.answered_no
        clauses = message.clauses
        if answered_no is None or index + 1 >= len(clauses) or not answered_no.fullmatch(clauses[index + 1]):
            return False
        clause = clauses[index]
        if begin > LOOKAROUND_CHARS or len(clause) - end > LOOKAROUND_CHARS:
            return False
        if len(clause[:begin].split()) + len(clause[end:].split()) > FORM_LABEL_WORDS:
            return False
        return not message.has("first_person", index)

    def _past_question(self, message: _Message, index: int) -> bool:
        """Whether an ``any_mention`` match is history told to ask a question, with nothing going on now.

        "I used to have suicidal thoughts years ago, is rhizotomy safe for people with
        depression?" asks about the procedure; a crisis reply in place of the answer would not
        hear the question. Any sign of now ("lately", "still", "again now") keeps the crisis reply.
        """
        return message.has("past_time", index) and not message.happening_now and message.asks

    def _resolved(self, clauses: list[str], index: int, end: int) -> bool:
        """Whether the symptom ending at ``end`` is said to be over: right after it, in the next clause
        ("..., but it's gone now"), or in a short clause soon after ("..., that was expected, all fine now").
        """
        resolved = self.context.resolved
        clause = clauses[index]
        cue = resolved.search(clause, end, end + LOOKAROUND_CHARS)
        if cue is not None and len(clause[end : cue.start()].split()) <= RESOLVED_WORDS:
            return True
        if index + 1 >= len(clauses):
            return False
        following = clauses[index + 1]
        ref = self.context.refers_back.search(following)
        if ref is not None and len(following[: ref.start()].split()) <= 1:
            cue = resolved.search(following, ref.end(), ref.end() + LOOKAROUND_CHARS)
            if cue is not None and len(following[ref.end() : cue.start()].split()) <= RESOLVED_WORDS:
                return True
        return any(self._all_over(later) for later in clauses[index + 1 : index + 1 + LATER_RESOLVED_CLAUSES])

    def _all_over(self, clause: str) -> bool:
        """Whether ``clause`` is a short, bare "it's over" ("gone now", "all fine now", "its completely dry now").

        Short, because a longer clause names what is over ("the fever is gone now, but my legs are
        numb" leaves the numb legs); not negated, because "no better" or "not gone" says the opposite.
        """
        # The length test first: a long clause after hundreds of matches must not be split for each.
        if len(clause) > LOOKAROUND_CHARS:
            return False
        words = clause.split()
        if not words or len(words) > SHORT_CLAUSE_WORDS or self.context.negation.search(clause):
            return False
        cue = self.context.resolved.search(clause)
        return cue is not None and len(clause[: cue.start()].split()) <= 2


def _cue_before(pattern: re.Pattern[str], text: str, pos: int, max_words: int) -> bool:
    """Whether ``pattern`` matches ending before ``pos`` with at most ``max_words`` words in between."""
    for cue in pattern.finditer(text, max(0, pos - LOOKAROUND_CHARS), pos):
        if len(text[cue.end() : pos].split()) <= max_words:
            return True
    return False


def _cue_reaching(pattern: re.Pattern[str], text: str, pos: int, max_words: int) -> bool:
    """Whether ``pattern`` matches starting before ``pos`` and either ending at most ``max_words``
    words before it (as :func:`_cue_before`) or running into or past it."""
    for cue in pattern.finditer(text, max(0, pos - LOOKAROUND_CHARS), pos + LOOKAROUND_CHARS):
        if cue.start() >= pos:
            break
        if cue.end() >= pos or len(text[cue.end() : pos].split()) <= max_words:
            return True
    return False


def _cue_after(pattern: re.Pattern[str], text: str, pos: int, max_words: int) -> bool:
    """Whether ``pattern`` matches starting after ``pos`` with at most ``max_words`` words in between."""
    cue = pattern.search(text, pos, pos + LOOKAROUND_CHARS)
    return cue is not None and len(text[pos : cue.start()].split()) <= max_words


def _clauses(text: str, breaks: re.Pattern[str]) -> tuple[list[str], list[int]]:
    """Normalised clauses of ``text``, and for each the index of its list heading (or -1).

    The text is split at clause punctuation, then at words such as "but". Punctuation must be used
    before normalising removes it; each piece is then normalised with the shared normaliser so the
    rules see exactly what every other part of the bot sees. A line starting with a bullet ("- ",
    "* ", "2. ") is a list item: its heading is the last clause of the nearest line above it that
    is not one, so "# Risks" can make "- paralysis?" a question.
    """
    clauses: list[str] = []
    headings: list[int] = []
    heading = -1
    for line in clean_input(text).splitlines():
        first = len(clauses)
        for part in _CLAUSE_PUNCTUATION.split(line):
            words = normalize(part) if not part.isspace() else ""
            if words:
                clauses.extend(piece.strip() for piece in breaks.sub("\n", words).split("\n") if piece.strip())
        if _BULLET.match(line):
            headings.extend([heading] * (len(clauses) - first))
        else:
            headings.extend([-1] * (len(clauses) - first))
            if len(clauses) > first:
                heading = len(clauses) - 1
    return (clauses, headings) if clauses else ([""], [-1])


def _starts(clauses: list[str]) -> list[int]:
    """Offset of each clause in ``"\\n".join(clauses)``."""
    starts: list[int] = []
    offset = 0
    for clause in clauses:
        starts.append(offset)
        offset += len(clause) + 1
    return starts


def _either(patterns: Iterable[str]) -> str:
    """One regular expression matching any of ``patterns``."""
    return "|".join(f"(?:{pattern})" for pattern in patterns)


def _alternatives(mapping: LocatedDict, key: str, path: Path, *, what: str) -> re.Pattern[str]:
    """One whole-word regular expression matching any of the patterns at ``mapping[key]``."""
    patterns = read_patterns(mapping, key, path, what=what)
    try:
        compiled = re.compile(word_pattern(_either(patterns)))
    except re.error as exc:
        recheck_patterns(mapping, key, path, what=what)
        raise KnowledgeBaseError(
            path, mapping.line_of(key), f"the patterns of {key!r} of {what} clash: {exc.msg}"
        ) from None
    if compiled.fullmatch(""):
        recheck_patterns(mapping, key, path, what=what)  # one pattern alone matches empty text: names it
    return compiled


def _recheck_rules(data: LocatedDict, path: Path) -> None:
    """Each rule's patterns compiled on their own, in file order: the error of the first bad one (see read_patterns)."""
    for item in data["rules"]:
        what = f"rule {item['name']!r}"
        for key in ("patterns", "ignore_after"):
            if key in item:
                recheck_patterns(item, key, path, what=what)


def _read_replies(data: LocatedDict, path: Path) -> dict[str, str]:
    replies = data["replies"]
    if not isinstance(replies, LocatedDict):
        raise KnowledgeBaseError(path, data.line_of("replies"), "'replies' must be a mapping of 'name: template' lines")
    return {name: check_template(replies, name, path, what="replies", extra=("advice",)) for name in replies}


def _read_rules(data: LocatedDict, path: Path, replies: dict[str, str]) -> tuple[Rule, ...]:
    return read_named_items(
        data,
        "rules",
        path,
        what="rule",
        read=lambda item, line: _read_rule(item, path, line, replies),
        name_of=lambda rule: rule.name,
    )


def _read_rule(item: Any, path: Path, line: int, replies: dict[str, str]) -> Rule:
    name = item.get("name") if isinstance(item, dict) else None
    what = f"rule {name!r}" if isinstance(name, str) else "rule"
    rule = check_keys(
        item,
        path,
        what=what,
        required=("name", "advice", "patterns"),
        optional=("kind", "reply", "ignore_after", "any_mention"),
        line=line,
    )
    name = require_str(rule, "name", path, what=what)
    if not _RULE_NAME.fullmatch(name):
        raise KnowledgeBaseError(
            path, rule.line_of("name"), f"rule name {name!r} must be lower-case letters, digits and _"
        )
    kind = require_str(rule, "kind", path, what=what, default="emergency")
    if kind not in ("emergency", "crisis"):
        raise KnowledgeBaseError(
            path, rule.line_of("kind"), f"'kind' in {what} must be emergency or crisis, not {kind!r}"
        )
    reply = require_str(rule, "reply", path, what=what, default="crisis" if kind == "crisis" else "emergency")
    if reply not in replies:
        defined = ", ".join(sorted(replies))
        raise KnowledgeBaseError(
            path,
            rule.line_of("reply"),
            f"{what} uses reply {reply!r}, which is not under 'replies' (defined: {defined})",
        )
    any_mention = rule.get("any_mention", False)
    if not isinstance(any_mention, bool):
        raise KnowledgeBaseError(path, rule.line_of("any_mention"), f"'any_mention' in {what} must be true or false")
    return Rule(
        name=name,
        kind=kind,  # type: ignore[arg-type]  # checked just above
        reply=reply,
        advice=check_template(rule, "advice", path, what=what),
        patterns=read_patterns(rule, "patterns", path, what=what),
        ignore_after=read_patterns(rule, "ignore_after", path, what=what) if "ignore_after" in rule else (),
        any_mention=any_mention,
    )
