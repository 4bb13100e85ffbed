"""The parts of the body a question or a passage speaks of: neck, back, legs, face …

Patients mostly do not name the procedure; they say where it hurts ("the back one", "my lower
back", "his legs"). Which procedure a clinic offers for which part of the body is in its
documents, so this module knows only general anatomy, in patients' words as well as clinical
ones, and :class:`chatbot.answerer.Answerer` learns from each procedure's own passages which
parts they speak of. The answer model then weighs whether a candidate's procedure is about the
part of the body the question names (``region_match`` / ``region_mismatch``): "what could go
wrong with the back one" is not about a neck procedure, although "back" is also a lay word for
the spine, which the neck documents name.

"Back" is a part of the body only where the words around it say so ("my back", "lower back",
"back pain"), not in "go back to work", "grow back" or "the back of the neck".
"""

from __future__ import annotations

import re

__all__ = ["REGIONS", "regions_named"]

_BACK_OWNER = r"(?:my|his|her|their|your|our|the|lower|low|upper|mid|middle|bad|sore|painful|whole|lumbar)"
_BACK_TROUBLE = (
    r"(?:pain|pains|ache|aches|aching|problems?|trouble|issues?|surgery|surgeries|operations?|spasms?|"
    r"injury|injuries|procedure|joints?|nerves?|discomfort|sufferers?)"
)

REGIONS: dict[str, re.Pattern[str]] = {
    name: re.compile(rf"\b(?:{pattern})\b")
    for name, pattern in {
        "neck": r"necks?|cervical|whiplash",
        "back": (
            rf"{_BACK_OWNER} back(?! (?:of|to|in|on|home|at|up|from|into|then|again)\b)|back {_BACK_TROUBLE}|"
            r"backache|backaches|lumbar|lumbago|sciatica|sciatic|thoracic|lower spine|low spine"
        ),
        "legs": r"legs?|thighs?|calf|calves|feet|foot|ankles?|toes?",
        "arms": r"arms?|hands?|fingers?|shoulders?|elbows?|wrists?",
        "face": r"face|facial|jaw|cheeks?|trigeminal|forehead",
        "knee": r"knees?",
        "hip": r"hips?",
        "pelvis": r"buttocks?|bum|pelvis|pelvic|sacroiliac|sacrum|tailbone|coccyx",
    }.items()
}
"""Each part of the body, by the words for it in normalised text (:func:`chatbot.normalize.normalize`)."""


def regions_named(text: str) -> frozenset[str]:
    """The parts of the body (keys of :data:`REGIONS`) that normalised ``text`` speaks of.

    >>> sorted(regions_named("what could go wrong with the back one"))
    ['back']
    >>> sorted(regions_named("when can i go back to work after my neck procedure"))
    ['neck']
    >>> sorted(regions_named("the nerves grow back"))
    []
    """
    return frozenset(name for name, pattern in REGIONS.items() if pattern.search(text))
