"""Patient messages for the safety rules, shared by ``tests/test_safety.py`` and ``benchmarks/safety_figures.py``.

``RED_FLAGS`` must raise the named rule; ``LOOK_ALIKES`` mention the same symptoms without
reporting one and must raise nothing. They are written the way patients type: typos, no capitals,
long stories with the symptom in the middle.
"""

from __future__ import annotations

RED_FLAGS: tuple[tuple[str, str], ...] = (
    # fever and chills
    ("I have a fever, is that normal?", "fever"),
    ("i think i have a fevr since last night", "fever"),
    ("feeling feverish and achy after the procedure yesterday", "fever"),
    ("my temprature is 39.2 this morning", "fever"),
    ("temp of 101F and shaking", "fever"),
    ("I've got chills and I'm sweating", "fever"),
    ("Had my neck done on Tuesday, all went fine, husband drove me home, but tonight I started shivering", "fever"),
    # wound infection
    ("the needle site is red and swollen and warm to the touch", "wound_infection"),
    ("there is pus coming out of the incision", "wound_infection"),
    ("my wound is oozing yellow stuff", "wound_infection"),
    ("I think the site is infected", "wound_infection"),
    ("redness around the injection site getting bigger", "wound_infection"),
    # bleeding
    ("it won't stop bleeding", "bleeding"),
    ("bleeding alot from where the needle went in", "bleeding"),
    ("blood soaking through the bandage", "bleeding"),
    ("I keep bleeding from my back even after pressing on it", "bleeding"),
    # weakness, numbness, paralysis
    ("I can't feel my legs", "weakness"),
    ("my arm went weak an hour ago", "weakness"),
    ("i think im paralyzed", "weakness"),
    ("The numbness is spreading down both legs", "weakness"),
    ("can't move my right leg since I woke up", "weakness"),
    (
        "so the procedure was fine and I went home and ate and slept, then this morning my legs gave out when I stood",
        "weakness",
    ),
    # bladder and bowel
    ("I wet myself and didn't feel it", "bladder_bowel"),
    ("I can't pee since the procedure", "bladder_bowel"),
    ("i have incontinence now", "bladder_bowel"),
    ("lost control of my bowels last night", "bladder_bowel"),
    ("numbness in my groin and between my legs", "bladder_bowel"),
    # severe headache and spinal fluid leak
    ("worst headache of my life", "severe_headache"),
    ("I have a severe headache after the procedure", "severe_headache"),
    ("clear fluid is leaking from the needle site", "csf_leak"),
    ("my headache gets worse when I sit up and goes away when I lie down", "csf_leak"),
    # chest, breathing, allergy, stroke
    ("my chest hurts", "chest_pain"),
    ("I have chest pain and my left arm aches", "chest_pain"),
    ("pressure in my chest since lunch", "chest_pain"),
    ("cant breath", "breathing"),
    ("I'm short of breath walking to the bathroom", "breathing"),
    ("having trouble breathing", "breathing"),
    ("my throat feels like it is closing", "allergic_reaction"),
    ("My tongue is swelling up", "allergic_reaction"),
    ("I broke out in hives after the injection and my lips are swollen", "allergic_reaction"),
    ("my face is drooping on one side", "stroke"),
    ("My husband's speech is slurred", "stroke"),
    ("i think i'm having a stroke", "stroke"),
    # crisis
    ("I want to kill myself", "self_harm"),
    ("i've been thinking about suicide", "self_harm"),
    ("honestly everyone would be better off dead without me, the pain never ends", "self_harm"),
    ("I don't want to live anymore", "self_harm"),
    ("sometimes I think about hurting myself", "self_harm"),
    # precedence: a first-person report wins over question framing and over an earlier negation
    ("I don't have a fever but I can't feel my legs", "weakness"),
    ("no fever. but there is pus at the site", "wound_infection"),
    ("Can rhizotomy cause paralysis? Because my legs feel weak", "weakness"),
    ("is it possible I have an infection? the site is hot to the touch", "wound_infection"),
    ("I had a fever last week and I still have it", "fever"),
    ("I'm worried about my fever", "fever"),
    ("could this be a stroke", "stroke"),
)
"""(message, rule name) pairs: every one must raise that rule."""

LOOK_ALIKES: tuple[str, ...] = (
    # questions about risks
    "Can rhizotomy cause paralysis?",
    "What are the signs of infection?",
    "Is a headache normal after the procedure?",
    "what happens if it gets infected",
    "risk of bleeding?",
    "could I lose bladder control from this?",
    "is there a risk of heavy bleeding",
    "how common is a spinal fluid leak after neck rhizotomy",
    "what if I get a fever after the procedure",
    "If I have chest pain after the procedure, who do I call?",
    "will I have trouble breathing after the anaesthetic",
    "can you have a stroke from this procedure",
    "I'm worried about paralysis",
    "what should I do if the site looks infected",
    "does rhizotomy cause incontinence",
    "How would I know if I have an allergic reaction?",
    "will my arm feel numb after neck rhizotomy",
    # negated symptoms
    "I don't have a fever, but is soreness normal?",
    "no bleeding, just mild numbness",
    "never had chest pain",
    "feeling fine without any fever",
    "no signs of infection at the site so far",
    "I haven't had any trouble breathing",
    "she denies chest pain or shortness of breath",
    # past events that resolved
    "I had a fever last month before the procedure, is that a problem?",
    "had a really bad headache yesterday but it's gone now",
    "I had a stroke 5 years ago, can I still have rhizotomy?",
    "I have a history of severe migraines",
    "my fever went away after a day",
    # ordinary expected symptoms
    "mild soreness at the injection site",
    "I have mild numbness at the site",
    "my neck is stiff",
    "a little bruising where the needle went in",
    "slight redness at the needle site",
    # procedure information
    "what is radiofrequency ablation",
    "how long does the relief last",
    "can I drive home after",
    "will I feel numbness after",
    "do i need to stop my blood thinners before percutaneous rhizotomy",
    "can I drink clear fluids before the procedure",
    "I have hay fever, can I still have the procedure?",
    "How do I treat a migraine?",
    "can i do heavy lifting and take blood thinners after",
    "How many hours does the procedure take?",
    "I can't walk far because of my back pain, would rhizotomy help?",
    "what temperature should I keep the ice pack at",
)
"""Messages that must raise nothing."""
