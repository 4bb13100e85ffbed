"""``chatbot.regions``: the parts of the body a question names, and the features the model weighs them by."""

from __future__ import annotations

import pytest

from chatbot import Chatbot
from chatbot.model import FEATURES
from chatbot.normalize import normalize
from chatbot.regions import regions_named

NAMED = [
    ("what could go wrong with the back one", {"back"}),
    ("My lower back has been agony for years, how long does it last", {"back"}),
    ("is it good for back pain", {"back"}),
    ("Mum's got lumbago", {"back"}),
    ("sciatica down my leg", {"back", "legs"}),
    ("will my neck be sore afterwards", {"neck"}),
    ("cervical rhizotomy recovery", {"neck"}),
    ("pain at the back of my neck", {"neck"}),
    ("numbness in my hands and arms", {"arms"}),
    ("he's got spasticity in his legs", {"legs"}),
    ("facial pain, trigeminal", {"face"}),
    ("radiofrequency ablation for my knee", {"knee"}),
    # "back" that is not a part of the body
    ("when can i go back to work", set()),
    ("do the nerves grow back", set()),
    ("will the pain come back", set()),
    ("can i drive back home", set()),
    ("when can I get back to the gym", set()),
    ("how long does the relief last", set()),
    ("is it safe for my spine", set()),
]


@pytest.mark.parametrize(("text", "regions"), NAMED)
def test_regions_named(text: str, regions: set[str]) -> None:
    assert regions_named(normalize(text)) == regions


def test_each_procedure_speaks_of_its_own_parts_of_the_body(bot: Chatbot) -> None:
    """Learned from the passages: the neck documents never speak of the back as a part of the body."""
    regions = bot.answerer_.regions_of
    assert "neck" in regions["cervical rhizotomy"] and "back" not in regions["cervical rhizotomy"]
    assert "back" in regions["percutaneous rhizotomy"] and "neck" not in regions["percutaneous rhizotomy"]


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        # names the back: a neck procedure's candidates do not fit, the back procedures' do
        (
            "what could go wrong with the back one",
            {"cervical rhizotomy": (0.0, 1.0), "percutaneous rhizotomy": (1.0, 0.0)},
        ),
        # names no part of the body (or only one no procedure speaks of): nothing to weigh
        ("what could go wrong", {"cervical rhizotomy": (0.0, 0.0), "percutaneous rhizotomy": (0.0, 0.0)}),
        ("what could go wrong with my knee", {"cervical rhizotomy": (0.0, 0.0), "percutaneous rhizotomy": (0.0, 0.0)}),
    ],
)
def test_region_features(bot: Chatbot, question: str, expected: dict[str, tuple[float, float]]) -> None:
    match, mismatch = FEATURES.index("region_match"), FEATURES.index("region_mismatch")
    candidates = bot.answerer_.decide(question).candidates
    seen = {}
    for candidate in candidates:
        seen.setdefault(candidate.pair.procedure, (candidate.features[match], candidate.features[mismatch]))
    assert {name: seen[name] for name in expected} == expected


def test_the_story_says_where_it_hurts(bot: Chatbot) -> None:
    """The part of the body told in the story counts for the question after it, as the procedure does."""
    mismatch = FEATURES.index("region_mismatch")
    decision = bot.answerer_.decide("My lower back has been bad for years. What could go wrong?")
    neck = [c for c in decision.candidates if c.pair.procedure == "cervical rhizotomy"]
    assert neck and all(c.features[mismatch] == 1.0 for c in neck)
