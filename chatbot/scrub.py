"""Take personal details out of a patient's message before it is stored.

A clinic may choose to keep what patients type (``store_patient_messages: true`` in
``clinic.yaml``) so staff can see which questions the bot declines. Even then the text is kept
only after this module has replaced what identifies a person with a placeholder:

==============  ===========================================================================
``[EMAIL]``     e-mail addresses
``[PHONE]``     phone numbers (7 to 15 digits with the usual separators, ``+`` prefixes)
``[DATE]``      dates: 02/03/1961, 1961-03-02, 3 March 1961, March 3rd, March 2024
``[NUMBER]``    long digit runs and record numbers (MRN 448812, 123-45-6789, A1234567)
``[ADDRESS]``   street addresses ("12 Oak Street", "Flat 4", "I live at …") and postcodes
``[NAME]``      names introduced as names ("my name is …", "I'm Jane …", "her son Tom",
                "Dr Patel", "Thanks, Jane"), and what follows a "Name:" label
==============  ===========================================================================

The rules lean towards removing too much: a scrubbed question is still useful to staff, a kept
name is a privacy breach. They are written against a table of real-looking messages and of
look-alikes that must survive ("I'm worried", "dose of 300 mg", "6 months to 3 years",
"C5-C6"), in ``tests/test_scrub.py``. A name typed in lower case with no introduction
("jane here") cannot be told from an ordinary word and is not caught: that is why storing
messages is off by default and why stored text has a retention limit.
"""

from __future__ import annotations

import re
from collections.abc import Callable

__all__ = ["PLACEHOLDERS", "scrub"]

PLACEHOLDERS = ("[EMAIL]", "[PHONE]", "[DATE]", "[NUMBER]", "[ADDRESS]", "[NAME]")

_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_DAY = r"(?:[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)?"

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.IGNORECASE)
_DATES = (
    re.compile(r"(?<![\w/.-])\d{1,4}[/.-]\d{1,2}[/.-]\d{2,4}(?![\w/.-]*\d)"),
    re.compile(rf"\b{_DAY}\s+(?:of\s+)?{_MONTH}(?:,?\s+\d{{4}})?(?!\w)", re.IGNORECASE),
    re.compile(rf"\b{_MONTH}\s+{_DAY}(?:,?\s+\d{{4}})?(?!\w)", re.IGNORECASE),
    re.compile(rf"\b{_MONTH}\s+(?:19|20)\d\d\b", re.IGNORECASE),
    re.compile(r"\b(?:dob|d\.o\.b\.?|date of birth|born(?: on| in)?)\s*[:\-]?\s*\d[\d/.\-\s]{2,9}\d", re.IGNORECASE),
)
_STREET = (
    r"(?:street|st|road|rd|avenue|ave|lane|ln|drive|boulevard|blvd|court|ct|way|place|pl|close|"
    r"crescent|terrace|highway|hwy|parkway|pkwy|square|sq)"
)
_ADDRESSES = (
    re.compile(rf"\b\d{{1,5}}[a-z]?\s+(?:[A-Za-z'-]+\s+){{1,3}}{_STREET}\b\.?", re.IGNORECASE),
    re.compile(r"\b(?:apt|apartment|flat|unit|suite)\.?\s*#?\s*\d+[a-z]?\b", re.IGNORECASE),
    re.compile(r"\b(?:i live at|i live on|my address is|address:)\s*[^.,;!?\n]+", re.IGNORECASE),
    re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]?\s+\d[A-Z]{2}\b"),
    re.compile(r"\bP\.?O\.? Box\s+\d+\b", re.IGNORECASE),
)
_PHONE = re.compile(r"(?<![\w+])(?:\+\d{1,3}[\s.-]?)?(?:\(\d{2,5}\)[\s.-]?)?\d[\d\s.-]{5,16}\d(?![\w])")
_RECORD = re.compile(
    r"\b(?:mrn|nhs(?: number)?|medical record(?: number)?|record number|patient (?:id|number)|"
    r"hospital number|ssn|insurance (?:id|number)|member id|policy number)\s*(?:is|no\.?|#|:)?\s*"
    r"([A-Z0-9](?:[A-Z0-9-]|\s(?=\d)){3,})",
    re.IGNORECASE,
)
_LONG_DIGITS = re.compile(r"\b[A-Z]{0,3}\d{5,}\b|\b\d{3}-\d{2}-\d{4}\b", re.IGNORECASE)

_NAME_WORD = r"[A-Z][a-zA-Z'’-]+"
_FULL_NAME = rf"{_NAME_WORD}(?:\s+(?:[A-Z]\.\s*)?{_NAME_WORD}){{0,2}}"
_ANY_WORDS = r"[A-Za-z'’-]+(?:\s+[A-Za-z'’-]+){0,2}"
_RELATIONS = (
    r"(?:son|daughter|wife|husband|mother|mom|mum|father|dad|brother|sister|partner|"
    r"grandson|granddaughter|grandmother|grandfather|grandma|grandpa|aunt|uncle|niece|nephew|"
    r"friend|neighbour|neighbor|carer|caregiver|fiancee?|boyfriend|girlfriend|child|baby|"
    r"boy|girl|doctor|surgeon|gp|nurse|physio|therapist)"
)
_NOT_NAMES = frozenset(
    """
    a an the i in on at to of for from with about after before not so very too really just still also
    and or but if now here there this that it is are was be been being am feeling going getting having
    worried scared afraid anxious nervous concerned confused curious unsure sure fine ok okay good well
    better worse bad sick ill tired sore numb dizzy due booked scheduled planning hoping trying thinking
    wondering asking calling writing looking waiting considering pregnant diabetic allergic older younger
    over under almost nearly about around type stage able unable new back home alone married single
    retired disabled sorry glad happy sad afraid yes no please hi hello thanks thank dear sir madam
    english american british catholic christian muslim jewish vegetarian vegan monday tuesday wednesday
    thursday friday saturday sunday january february march april may june july august september october
    november december rhizotomy cervical selective dorsal percutaneous neurotomy sdr mri ct
    """.split()
)

_INTRODUCTIONS = (
    re.compile(rf"\b(?:my name is|my name's|name is|i am called|call me|they call me)\s+({_ANY_WORDS})", re.IGNORECASE),
    re.compile(rf"\b(?:name)\s*[:\-]\s*({_ANY_WORDS})", re.IGNORECASE),
)
_SELF_INTRO = re.compile(rf"\b(?:[Ii]'m|[Ii]’m|[Ii] am|[Tt]his is|[Ii]t's|[Ii]t’s|[Ii]t is)\s+({_FULL_NAME})")
_RELATION_NAME = re.compile(rf"\b{_RELATIONS},?\s+({_FULL_NAME})", re.IGNORECASE)
_TITLE_NAME = re.compile(rf"\b(?:mr|mrs|ms|miss|mx|dr|doctor|prof|professor|nurse)\.?\s+({_FULL_NAME})", re.IGNORECASE)
_SIGN_OFF = re.compile(
    r"\b(?i:thanks|thank you|regards|best wishes|cheers|sincerely|love|from|signed)"
    rf"\s*[,!.-]?\s+({_FULL_NAME})\s*[.!]?\s*$"
)
_NAME_STOP = re.compile(
    r"\s+(?:and|i|im|i'm|my|is|was|has|had|will|would|can|could|should|who|from|with|about|at|on|in|"
    r"for|to|the|a|an|have|am|are|but|so|or|what|how|when|why|here|there|please|thanks|dob|born|mrn)\b.*$",
    re.IGNORECASE,
)


def scrub(text: str) -> str:
    """``text`` with e-mails, phone numbers, dates, record numbers, addresses and names replaced.

    Deterministic and idempotent: scrubbing scrubbed text changes nothing.
    """
    text = _EMAIL.sub("[EMAIL]", text)
    text = _RECORD.sub(_keep_label("[NUMBER]"), text)
    for pattern in _DATES:
        text = pattern.sub(_date, text)
    for pattern in _ADDRESSES:
        text = pattern.sub(_address, text)
    text = _PHONE.sub(_phone, text)
    text = _LONG_DIGITS.sub("[NUMBER]", text)
    for pattern in _INTRODUCTIONS:
        text = pattern.sub(_any_name, text)
    for pattern in (_SELF_INTRO, _RELATION_NAME, _TITLE_NAME, _SIGN_OFF):
        text = pattern.sub(_capitalised_name, text)
    return text


def _keep_label(placeholder: str) -> Callable[[re.Match[str]], str]:
    """Keep "MRN" (it tells staff what was there) and replace only the value after it."""

    def replace(match: re.Match[str]) -> str:
        if not any(c.isdigit() for c in match.group(1)):
            return match.group()
        return match.group()[: match.start(1) - match.start()] + placeholder

    return replace


def _date(match: re.Match[str]) -> str:
    found = match.group()
    label = re.match(r"(?i)(dob|d\.o\.b\.?|date of birth|born(?: on| in)?)\s*[:\-]?\s*", found)
    return (label.group() if label else "") + "[DATE]"


def _address(match: re.Match[str]) -> str:
    found = match.group()
    label = re.match(r"(?i)(i live at|i live on|my address is|address:)\s*", found)
    return (label.group() if label else "") + "[ADDRESS]"


def _phone(match: re.Match[str]) -> str:
    """A phone number has 7 to 15 digits; "2-3 weeks" or "1 in 1000" are not phone numbers."""
    found = match.group()
    digits = sum(c.isdigit() for c in found)
    if not 7 <= digits <= 15:
        return found
    if re.fullmatch(r"\d+(?:\.\d+)?", found) and digits < 9:
        return found  # a plain number such as 1000000 is left to the record-number rule
    return "[PHONE]"


def _trim(name: str) -> str:
    return _NAME_STOP.sub("", name).strip(" '’-")


def _any_name(match: re.Match[str]) -> str:
    """After "my name is", whatever the case: the patient said it is a name."""
    name = _trim(match.group(1))
    if not name or name.split()[0].lower() in _NOT_NAMES:
        return match.group()  # "call me on [PHONE]", "call me back"
    start = match.start(1) - match.start()
    return match.group()[:start] + "[NAME]" + match.group()[start + len(name) :]


def _capitalised_name(match: re.Match[str]) -> str:
    """After "I'm", a relation or a title: only a capitalised word that is not an ordinary one."""
    words = _trim(match.group(1)).split()
    kept: list[str] = []
    for word in words:
        if word.lower().strip("'’") in _NOT_NAMES or not word[:1].isupper():
            break
        kept.append(word)
    if not kept:
        return match.group()
    start = match.start(1) - match.start()
    original = match.group()
    end = original.find(kept[-1], start) + len(kept[-1])
    return original[:start] + "[NAME]" + original[end:]
