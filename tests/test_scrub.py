"""Scrubbing patients' messages before storage: personal details go, medical facts stay.

Each row is a message a patient could type. The first table must lose the personal detail (the
expected placeholder appears and the detail itself does not); the second table is look-alikes
that carry no personal detail and must come out exactly as typed.
"""

from __future__ import annotations

import pytest

from chatbot.scrub import PLACEHOLDERS, scrub

PERSONAL: list[tuple[str, str, str]] = [
    # (message, what must disappear, placeholder that must appear)
    ("I'm Jane Doe, DOB 02/03/1961, MRN 448812, on warfarin", "Jane", "[NAME]"),
    ("I'm Jane Doe, DOB 02/03/1961, MRN 448812, on warfarin", "Doe", "[NAME]"),
    ("I'm Jane Doe, DOB 02/03/1961, MRN 448812, on warfarin", "02/03/1961", "[DATE]"),
    ("I'm Jane Doe, DOB 02/03/1961, MRN 448812, on warfarin", "448812", "[NUMBER]"),
    ("my name is john smith and my neck hurts", "john smith", "[NAME]"),
    ("My name's Priya, can I drive after the procedure?", "Priya", "[NAME]"),
    ("Hi, this is her son Tom, she had the rhizotomy yesterday", "Tom", "[NAME]"),
    ("My wife Mary is booked for SDR", "Mary", "[NAME]"),
    ("my husband, Robert Nguyen, has a fever", "Robert Nguyen", "[NAME]"),
    ("Dr Patel told me to stop aspirin", "Patel", "[NAME]"),
    ("Mrs. O'Brien here, is the clinic open Friday?", "O'Brien", "[NAME]"),
    ("Thanks for the help. Regards, Susan", "Susan", "[NAME]"),
    ("Name: Carlos Ortega. Question about recovery", "Carlos Ortega", "[NAME]"),
    ("call me on 555-010-2234 please", "555-010-2234", "[PHONE]"),
    ("my number is (555) 010 7788", "010 7788", "[PHONE]"),
    ("ring me at +44 7700 900123", "7700 900123", "[PHONE]"),
    ("my mobile 07700900123", "07700900123", "[PHONE]"),
    ("email me at jane.doe@example.com", "jane.doe@example.com", "[EMAIL]"),
    ("contact: j_smith+pain@mail.example.org", "j_smith+pain@mail.example.org", "[EMAIL]"),
    ("my procedure is on 12 March 2025", "12 March 2025", "[DATE]"),
    ("I was born 1961-03-02", "1961-03-02", "[DATE]"),
    ("booked for March 3rd, will it hurt?", "March 3rd", "[DATE]"),
    ("surgery on the 4th of July", "4th of July", "[DATE]"),
    ("date of birth 2.3.61", "2.3.61", "[DATE]"),
    ("my NHS number is 485 777 3456", "485 777 3456", "[NUMBER]"),
    ("SSN 123-45-6789", "123-45-6789", "[NUMBER]"),
    ("patient id: A1234567", "A1234567", "[NUMBER]"),
    ("insurance number XK99812345", "XK99812345", "[NUMBER]"),
    ("record 99887766 says I'm allergic", "99887766", "[NUMBER]"),
    ("I live at 42 Elm Street, Springfield", "42 Elm Street", "[ADDRESS]"),
    ("send it to 1600 Pennsylvania Avenue", "1600 Pennsylvania Avenue", "[ADDRESS]"),
    ("I'm at Flat 4, 10 Downing St", "Flat 4", "[ADDRESS]"),
    ("my postcode is SW1A 1AA", "SW1A 1AA", "[ADDRESS]"),
    ("my address is the old mill house near the river", "old mill house", "[ADDRESS]"),
    ("It's Grace again, the numbness hasn't gone", "Grace", "[NAME]"),
    ("I am Ahmed Khan and I had a cervical rhizotomy", "Ahmed Khan", "[NAME]"),
    ("My daughter Emily has cerebral palsy, is SDR for her?", "Emily", "[NAME]"),
    ("they call me Bobby, what is recovery like", "Bobby", "[NAME]"),
]

LOOK_ALIKES: list[str] = [
    "I'm worried about the procedure",
    "I'm scared it will hurt",
    "I am not sure if I qualify",
    "I'm in a lot of pain after the rhizotomy",
    "I'm Type 2 diabetic, is that a problem?",
    "What is the dose of 300 mg?",
    "Does relief last 6 months to 3 years?",
    "Can I drive after 24 hours?",
    "Is a 1 in 1000 risk normal?",
    "The pain is at C5-C6 level",
    "I'm 65 years old, am I too old?",
    "May I shower after the procedure?",
    "This is my second rhizotomy",
    "My son has cerebral palsy",
    "Will I need 2-3 sessions?",
    "Is it 90% effective?",
    "Can I take 2 tablets every 4 hours?",
    "My pain level is 7/10",
    "I walk 10,000 steps a day",
    "My temperature is 38.5",
    "My blood pressure was 140/90",
    "The appointment is at 3:30 pm",
    "Recovery takes 1-2 weeks",
    "In 2023 I had neck surgery",
    "Is there a 50-50 chance it works?",
    "What is selective dorsal rhizotomy?",
    "How long does the relief last after cervical rhizotomy?",
    "Can I go back to work on Monday?",
    "My doctor said I need a rhizotomy",
    "I'm having a rhizotomy next week",
    "It's been 3 months and the pain is back",
    "Should I stop ibuprofen 5 days before?",
    "Is the needle 10 cm long?",
    "I lost 20 lbs since the surgery",
    "What is the success rate of percutaneous rhizotomy?",
    "Thank you so much",
    "Is it covered by insurance?",
    "I'm on warfarin, should I stop it?",
]


@pytest.mark.parametrize(("message", "detail", "placeholder"), PERSONAL)
def test_personal_details_are_replaced(message: str, detail: str, placeholder: str) -> None:
    scrubbed = scrub(message)
    assert detail not in scrubbed, scrubbed
    assert placeholder in scrubbed, scrubbed


@pytest.mark.parametrize("message", LOOK_ALIKES)
def test_look_alikes_are_kept_as_typed(message: str) -> None:
    assert scrub(message) == message


def test_the_tables_are_big_enough() -> None:
    assert len({m for m, _, _ in PERSONAL}) >= 30
    assert len(LOOK_ALIKES) >= 30
    assert {p for _, _, p in PERSONAL} == set(PLACEHOLDERS)


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ("I'm Jane Doe, DOB 02/03/1961, MRN 448812, on warfarin", "I'm [NAME], DOB [DATE], MRN [NUMBER], on warfarin"),
        ("call me on 555-010-2234 please", "call me on [PHONE] please"),
        (
            "Hi, this is her son Tom, she had the rhizotomy yesterday",
            "Hi, this is her son [NAME], she had the rhizotomy yesterday",
        ),
        ("my name is john smith and my neck hurts", "my name is [NAME] and my neck hurts"),
        ("I live at 42 Elm Street, Springfield", "I live at [ADDRESS], Springfield"),
        ("Regards, Susan", "Regards, [NAME]"),
    ],
)
def test_only_the_detail_is_replaced(message: str, expected: str) -> None:
    assert scrub(message) == expected


@pytest.mark.parametrize("message", [m for m, _, _ in PERSONAL] + LOOK_ALIKES)
def test_scrubbing_is_idempotent(message: str) -> None:
    once = scrub(message)
    assert scrub(once) == once
