"""The questions patients ask about a procedure, and the words that show a passage answers one.

Clinic documents are mostly statements ("Many patients experience relief lasting from several
months up to a few years"). To make them findable, the extractor asks which patient question a
passage answers and phrases it the way patients do. The topics are generic to interventional
pain procedures, not to rhizotomy: a new document about another procedure gets the same
questions with its own procedure name in them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["GROUPS", "QUESTION_CUES", "TOPICS", "Topic", "asked_groups", "asks_for_number", "classify", "has_figure"]


@dataclass(frozen=True)
class Topic:
    """A kind of patient question: its cue words and question templates (``{p}`` = procedure)."""

    name: str
    cues: re.Pattern[str]
    questions: tuple[str, ...]
    weight: float = 1.0


def _topic(name: str, cues: str, *questions: str, weight: float = 1.0) -> Topic:
    return Topic(name, re.compile(cues, re.IGNORECASE), questions, weight)


SPECIFIC = 1.5
"""Weight of narrow topics: a passage about fasting also mentions "before surgery" (preparation),
and one about lowering risks also names the risks, but the narrow question is the one it answers."""


TOPICS: tuple[Topic, ...] = (
    _topic(
        "fasting",
        r"\b(?:eat|eating|drink|drinking|fasting|food)\b",
        "Can I eat or drink before {p}?",
        "Do I need to fast before {p}?",
        weight=SPECIFIC,
    ),
    _topic(
        "driving",
        r"\b(?:drive|driving|driver|companion|ride home)\b",
        "Can I drive home after {p}?",
        "Do I need someone to take me home after {p}?",
        weight=SPECIFIC,
    ),
    _topic(
        "medicines-before",
        r"\b(?:blood thinners?|anticoagulants?|stopping certain medications|medication management)\b",
        "Do I need to stop my medicines before {p}?",
        "What about blood thinners before {p}?",
        weight=SPECIFIC,
    ),
    _topic(
        "nerve-block",
        r"\b(?:diagnostic nerve block|nerve blocks?|local anesthetic injections?|confirm)\b",
        "Do I need a test nerve block before {p}?",
        "What is a diagnostic nerve block?",
        weight=SPECIFIC,
    ),
    _topic(
        "evaluation",
        r"\b(?:evaluation|evaluate|mri|ct scans?|x-rays?|medical history|physical exam\w*|diagnos\w*)\b",
        "What tests or checks happen before {p}?",
        "How do doctors decide if I need {p}?",
    ),
    _topic(
        "preparation",
        r"\b(?:prepar\w*|beforehand|before (?:the )?(?:surgery|procedure))\b",
        "How do I prepare for {p}?",
        "What should I do before {p}?",
    ),
    _topic(
        "onset",
        r"\b(?:immediate relief|rapid relief|immediately|within a few weeks|full (?:effect|benefits?)"
        r"|to manifest|apparent)\b",
        "How soon will I feel pain relief after {p}?",
        "When does {p} start working?",
        weight=SPECIFIC,
    ),
    _topic(
        "duration",
        r"\b(?:lasts?|lasting|long-lasting|longevity|duration|months?|years?|permanent|sustained|long[- ]term)\b",
        "How long does the pain relief from {p} last?",
        "How long do the effects of {p} last?",
        "Is {p} permanent?",
    ),
    _topic(
        "recurrence",
        r"\b(?:recurrence|recur|come back|returns?|regenerat\w*|repeat procedures?|multiple procedures)\b",
        "Can the pain come back after {p}?",
        "Can {p} be repeated?",
    ),
    _topic(
        "success",
        r"\b(?:success\w*|effective\w*|\d+\s?%|percent|improvement|reliable|pain reduction)\b",
        "How well does {p} work?",
        "What is the success rate of {p}?",
    ),
    _topic(
        "side-effects",
        r"\b(?:side effects?|numbness|soreness|stiffness|headaches?|sensory deficits?)\b",
        "What side effects can {p} cause?",
        "Is numbness or soreness normal after {p}?",
    ),
    _topic(
        "risk-reduction",
        r"\b(?:reduce risks?|risk reduction|avoid complications|prevent complications|sterile"
        r"|minimi[sz]e (?:infection|complications))\b",
        "How are the risks of {p} kept low?",
        "How can complications of {p} be avoided?",
        weight=SPECIFIC,
    ),
    _topic(
        "risks",
        r"\b(?:risks?|complications?|dangers?|dangerous|safe|safety|infections?|bleeding|paralysis"
        r"|nerve damage|leakage)\b",
        "What are the risks of {p}?",
        "Is {p} safe?",
        "What complications can {p} cause?",
    ),
    _topic(
        "return-to-activities",
        r"\b(?:return\w* to|resum\w+|back to work|daily activities|daily routines|strenuous|jobs?)\b",
        "When can I go back to work and normal activities after {p}?",
        "How soon can I return to daily activities after {p}?",
    ),
    _topic(
        "physical-therapy",
        r"\b(?:physical therapy|physiotherapy|rehabilitation|exercises?|strengthen\w*|mobility)\b",
        "Will I need physical therapy after {p}?",
        "What exercises help after {p}?",
    ),
    _topic(
        "recovery",
        r"\b(?:recover\w*|aftercare|after the procedure|post-procedure|postoperative|healing|rest|monitored)\b",
        "What is recovery like after {p}?",
        "How long does it take to recover from {p}?",
    ),
    _topic(
        "medication",
        r"\b(?:medications?|medicines?|analgesics?|opioids?|pain medication|over-the-counter|ice therapy)\b",
        "Will I need pain medicine after {p}?",
        "Can {p} reduce my need for pain medication?",
    ),
    _topic(
        "candidates",
        r"\b(?:candidates?|qualif\w*|suitable|eligible|ideal|considered when|right for you|patients with"
        r"|individuals with)\b",
        "Who is a good candidate for {p}?",
        "Am I a candidate for {p}?",
    ),
    _topic(
        "benefits",
        r"\b(?:benefits?|advantages?|quality of life|relieved|less invasive|minimally invasive)\b",
        "What are the benefits of {p}?",
        "Why choose {p}?",
    ),
    _topic(
        "how-it-works",
        r"\b(?:radiofrequency energy|needle|imaging|fluoroscop\w*|x-ray guidance|anesthesia|incisions?"
        r"|electrical current"
        r"|heat|lesions?|lesioning|ablat\w*|severs?|severing|cutting|targets?|targeted|guided|performed"
        r"|(?<!to )(?<!at )(?<!of )works?|goal|disrupt\w*"
        r"|interrupt\w*|details|steps)\b",
        "How is {p} done?",
        "How does {p} work?",
    ),
    _topic(
        "conditions",
        r"\b(?:treat(?:s|ed|ing)?|conditions such as|used to|caused by|sciatica|arthritis|stenosis|spasticity)\b",
        "What conditions can {p} treat?",
        "What is {p} used for?",
    ),
    _topic(
        "follow-up",
        r"\b(?:follow[- ]up|monitor\w*|assessments?|check-?ups?)\b",
        "What follow-up is needed after {p}?",
        "Will I see the doctor again after {p}?",
    ),
    _topic(
        "decision",
        r"\b(?:consult\w*|discuss\w*|decision|decide|weigh|informed|healthcare provider|specialist)\b",
        "How do I decide if {p} is right for me?",
        "Who should I talk to about {p}?",
    ),
)

_BY_NAME = {t.name: t for t in TOPICS}


def topic_named(name: str) -> Topic | None:
    """The topic called ``name``, or ``None``."""
    return _BY_NAME.get(name)


def classify(heading: str, first_sentence: str, rest: str, *, heading_weight: float = 3.0) -> Topic | None:
    """The topic a passage answers, weighing its heading most and its first sentence more than the rest.

    The first topic in :data:`TOPICS` wins ties, which is why the narrow topics (fasting, driving)
    come before the broad ones (preparation, recovery). Later passages of a section pass a lower
    ``heading_weight``: under "Preparing for the procedure", the paragraph about fasting is about fasting.
    """
    best: Topic | None = None
    best_score = 0.0
    for topic in TOPICS:
        score = topic.weight * (
            heading_weight * len(topic.cues.findall(heading))
            + 2.0 * len(topic.cues.findall(first_sentence))
            + 1.0 * len(topic.cues.findall(rest))
        )
        if score > best_score:
            best, best_score = topic, score
    return best


GROUPS: dict[str, str] = {
    **dict.fromkeys(("duration", "recurrence", "success", "onset", "benefits", "summary"), "outcome"),
    **dict.fromkeys(("risks", "side-effects", "risk-reduction"), "risk"),
    **dict.fromkeys(("recovery", "return-to-activities", "physical-therapy", "follow-up", "medication"), "recovery"),
    **dict.fromkeys(
        ("preparation", "fasting", "driving", "medicines-before", "evaluation", "nerve-block"), "preparation"
    ),
    **dict.fromkeys(("what-is", "how-it-works", "conditions", "candidates", "decision"), "about"),
}
"""Topics close enough that a passage on one answers a question on another ("how long does relief
last?" is answered by a passage on success and longevity), and far enough apart that a passage on
another group does not ("what are the risks?" is not answered by a list of benefits)."""


QUESTION_CUES: dict[str, re.Pattern[str]] = {
    "risk": re.compile(
        r"\b(?:risks?|risky|dangers?|dangerous|safe|safety|complications?|side effects?|go wrong"
        r"|numbness|stiffness|sore|soreness|headaches?|bruis\w*|weakness)\b"
    ),
    "outcome": re.compile(
        r"\b(?:how long (?:\w+ ){0,6}(?:last|lasts|work|works)|lasts?|lasting|permanent|success\w*|effective\w*"
        r"|percent\w*|results?|wear off|come back)\b"
    ),
    "preparation": re.compile(
        r"\b(?:prepar\w*|before (?:the |my )?(?:procedure|surgery|injection|op)|fast|fasting|eat|drink"
        r"|blood thinners?|drive|driving)\b"
    ),
    "recovery": re.compile(r"\b(?:recover\w*|heal\w*|back to work|physio\w*|physical therapy|rehab\w*|downtime)\b"),
}
"""Words that show what a patient's question asks about. Narrower than the passage cues above:
a question says "after the procedure" to place it in time, not to ask about recovery."""


def asked_groups(question: str) -> tuple[str, ...]:
    """The topic groups whose cues a patient's (normalised) question uses, in :data:`QUESTION_CUES`'s order.

    Exactly one is the group the question clearly asks about; none, or several, mean it is matched
    on its words alone.
    """
    return tuple(group for group, cues in QUESTION_CUES.items() if cues.search(question))


_NUMBER_CUES = re.compile(
    r"\b(?:success rates?|rates?|percent\w*|how many|what number|chances?|odds|statistics?|stats|likelihood"
    r"|likely is it|how often)\b"
)
"""Words that ask for a figure: "what is the success rate", "how many people", "what are the chances"."""

_FIGURE = re.compile(r"\d")


def asks_for_number(question: str) -> bool:
    """Whether a (normalised) question asks for a figure, which only a passage with one can give.

    "What is the success rate of selective dorsal rhizotomy?" must not be answered with "it can
    be an effective treatment option": that is not a rate, and a patient would take it as one.
    """
    return _NUMBER_CUES.search(question) is not None


def has_figure(text: str) -> bool:
    """Whether a passage states a figure (any digit: "70-80%", "6 months to 3 years")."""
    return _FIGURE.search(text) is not None
