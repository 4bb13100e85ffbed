"""Real patient questions and what the bot must do with them: shared by the tests and benchmarks.

``ANSWERS`` maps a question to facts its answer must contain. A fact with ``|`` accepts any one
of its alternatives (different documents word the same fact differently). Questions are written
the way patients type: lay words, typos, bare keywords, odd case and spacing.
"""

from __future__ import annotations

ANSWERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    # how long relief lasts
    ("How long does the relief from cervical rhizotomy last?", ("6 months to 3 years",)),
    ("how long does cervical rhizotomy last", ("6 months to 3 years",)),
    ("how long wil the releif last after cervical rizotomy", ("6 months to 3 years",)),
    ("How long do the effects of a neck rhizotomy last?", ("6 months to 3 years|several months to a few years",)),
    ("is cervical rhizotomy permanent", ("not a permanent cure",)),
    ("will the pain come back after cervical rhizotomy", ("recurrence",)),
    ("do the nerves grow back after cervical rhizotomy", ("regenerat",)),
    ("can cervical rhizotomy be repeated", ("repeat procedures",)),
    # risks and side effects
    ("What are the risks of the rhizotomy neck procedure?", ("nerve damage",)),
    ("Can rhizotomy cause paralysis?", ("paralysis",)),
    ("is percutaneous rhizotomy safe", ("generally safe",)),
    ("side effects of percutaneous rhizotomy", ("hematoma|bleeding",)),
    ("risk of spinal fluid leak with neck rhizotomy", ("cerebrospinal fluid",)),
    ("are headaches a side effect of the neck procedure", ("headaches",)),
    ("how do you lower the risk of infection with percutaneous rhizotomy", ("sterile|lower risk of infection",)),
    ("will my arm feel numb after neck rhizotomy", ("numbness",)),
    ("what complications can sdr cause", ("infection", "paralysis")),
    # preparation
    ("How do I prepare for a percutaneous rhizotomy?", ("evaluation",)),
    ("can i eat before the procedure", ("avoid eating or drinking",)),
    ("do i need to fast before percutaneous rhizotomy", ("avoid eating or drinking",)),
    ("do i need to stop my blood thinners before percutaneous rhizotomy", ("blood thinners",)),
    ("should i stop taking warfarin before rhizotomy", ("blood thinners",)),
    ("can i drive home after percutaneous rhizotomy", ("drive you home",)),
    ("do i need someone to take me home after the procedure", ("drive you home",)),
    ("what tests are done before cervical neurotomy", ("MRI|diagnostic nerve block",)),
    ("what is a diagnostic nerve block", ("diagnostic nerve block",)),
    ("do i need a test nerve block before neurotomy", ("nerve block",)),
    # recovery
    ("What is recovery like after cervical neurotomy?", ("a few days to a week",)),
    ("recovry time for cervical neurotomy", ("a few days to a week",)),
    ("RECOVERY AFTER CERVICAL NEUROTOMY", ("a few days to a week",)),
    ("when can i go back to work after cervical rhizotomy", ("few days to weeks",)),
    ("will i need physio after neck rhizotomy", ("Physical therapy",)),
    ("how long will i stay in hospital after neck rhizotomy", ("a day or two",)),
    ("nek rhizotomy hospital stay", ("a day or two",)),
    ("can i use ice after cervical neurotomy", ("ice therapy",)),
    ("what painkillers can i take after cervical neurotomy", ("over-the-counter",)),
    ("how long does it take to heal after percutanous rhizotomy", ("swift|patience|rest",)),
    ("what exercises should i do after percutaneous rhizotomy", ("physical therapy|exercises",)),
    ("sdr recovery", ("numbness for a few weeks",)),
    ("recovery after selective dorsal rhizotomy", ("numbness for a few weeks",)),
    # what it is and how it is done
    ("what is cervical rhizotomy", ("minimally invasive surgical procedure",)),
    ("What is percutaneous rhizotomy?", ("radiofrequency rhizotomy",)),
    ("what is cervical neurotomy", ("radiofrequency ablation",)),
    ("ｗｈａｔ ｉｓ ｃｅｒｖｉｃａｌ ｎｅｕｒｏｔｏｍｙ", ("radiofrequency ablation",)),
    ("what is\tcervical\n neurotomy ??", ("radiofrequency ablation",)),
    ("what is sdr", ("selective dorsal rhizotomy",)),
    ("what is a rhizotomy", ("rhizotomy",)),
    ("do they burn the nerve in selective dorsal rhizotomy", ("burns",)),
    ("how does cervical neurotomy work", ("radiofrequency energy",)),
    ("how is percutaneous rhizotomy done", ("needle|radiofrequency energy",)),
    ("is selective dorsal rhizotomy done under general anesthesia", ("general anesthesia",)),
    ("will i be put to sleep for sdr", ("general anesthesia",)),
    ("what conditions does rhizotomy treat", ("sciatica",)),
    ("can rhizotomy help sciatica", ("sciatica",)),
    ("what does a percutaneous rhizotomy involve", ("facet joints",)),
    ("what is fluoroscopy used for in percutaneous rhizotomy", ("fluoroscop",)),
    ("why do they use fluoroscopy", ("fluoroscop",)),
    # candidates, results, benefits
    ("who qualifies for percutaneous rhizotomy", ("persistent spinal pain",)),
    ("am i a candidate if i already had back surgery", ("back surgery",)),
    ("what is the success rate of percutaneous rhizotomy", ("70-80%",)),
    ("how long does relief last from percutaneous rhizotomy?", ("sustained relief|70-80%",)),
    ("do i need fisio after the neck procedure", ("Physical therapy",)),
    ("mayo clinic results for percutaneous rhizotomy", ("70-80%",)),
    ("how effective is cervical neurotomy", ("80%",)),
    ("benefits of cervical neurotomy", ("Significant Pain Reduction",)),
    ("will i need less pain medication after neurotomy", ("reduce or even eliminate",)),
    ("what are the advantages of percutaneous rhizotomy", ("benefits|Minimally Invasive",)),
    ("is cervical neurotomy done as an outpatient", ("outpatient",)),
    ("how soon will percutaneous rhizotomy relieve my pain", ("immediate relief",)),
    ("is cervical neurotomy right for me", ("conservative treatment",)),
    # from a held-out trial: lay words, long preambles, questions the passages answer in other words
    (
        "hi my doctor says im getting the nerve burning thing done in my neck how long before the pain comes back",
        ("recurrence|6 months to 3 years",),
    ),
    ("my neurosurgeon wants to do rhizotomy on my neck. is it a cure or will i need it done again", ("cure|repeat",)),
    ("will my neck be stiff and sore after the rhizotomy", ("stiffness",)),
    ("when am i allowed to start moving my neck after neck rhizotomy", ("gentle neck movements",)),
    ("how long before i can lift heavy stuff or go back to the gym after my neck rhizotomy", ("strenuous",)),
    ("what pain meds will they give me after neck rhizotomy", ("analgesics|over-the-counter pain medication",)),
    ("can i get off my oxycodone after cervical neurotomy", ("opioids",)),
    ("will i need more than one selective dorsal rhizotomy", ("multiple procedures",)),
    ("do i go home after sdr or stay", ("discharged",)),
    ("will i be asleep for sdr", ("general anesthesia",)),
    ("can i go back to work fast after percutaneous rhizotomy", ("work promptly",)),
    # the side-effects passage, or the recovery passage's "Some discomfort is normal" (ranked first since
    # the classifier's candidates)
    ("will it hurt right after the percutaneous rhizotomy", ("post-procedure pain|discomfort is normal",)),
    ("can percutanous rhizotomy help arthritis in my lower back", ("arthritis",)),
    # "how long … last" about a side effect asks about the side effect, not about the relief
    ("how long does the stiffness last after the neck rhizotomy", ("a few days to weeks",)),
    ("how long will the numbness last after percutaneous rhizotomy", ("Brief or occasionally lasting numbness",)),
)

GENERIC: tuple[str, ...] = (
    "is it safe",
    "what are the side effects",
    "rhizotomy recovery time",
    "how long is the hospital stay",
)
"""Questions that fit several procedures: the bot answers from the most probable passage, says
which procedure it is about, and offers the same question about the others."""

UNANSWERABLE: tuple[str, ...] = (
    "How much does a rhizotomy cost?",
    "Does insurance cover it?",
    "Can I shower after?",
    "What is the recovery after knee replacement?",
    "What are the effects of botox?",
    "Can I drink alcohol after rhizotomy?",
    "Is rhizotomy covered by Medicare?",
    "What's the weather tomorrow?",
    "Who won the football game last night?",
    "Can I fly on a plane after the procedure?",
    "Can I take a bath after rhizotomy?",
    "When can I have sex after the procedure?",
    "How do I reset my password?",
    "Where do I park at the clinic?",
    "Can I bring my dog to the appointment?",
    "What is the capital of France?",
    "How do I treat a migraine?",
    "What are the side effects of ibuprofen?",
    "How long does a hip replacement last?",
    "Tell me a joke",
    "Does rhizotomy cure cancer?",
    "Can I swim after the procedure?",
    "How many calories are in a banana?",
    "Can I get a tattoo after rhizotomy?",
    "What is the price of the procedure?",
    "asdfghjkl",
    # real words that once were "corrected" into known ones ("dying" → "doing", "survival" → "surgical")
    "what are the chances of dying from a rhizotomy",
    "what is the survival rate of rhizotomy",
    # a rate the document does not give must not be answered with "it can be effective"
    "what is the success rate of selective dorsal rhizotomy",
)
"""Off-topic questions and questions the documents do not answer: the bot must say so."""
