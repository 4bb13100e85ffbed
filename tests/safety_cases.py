"""Patient messages for the safety rules, shared by ``tests/test_safety.py`` and ``benchmarks/safety_figures.py``.

``RED_FLAGS`` must raise the named rule; ``LOOK_ALIKES`` mention the same symptoms without
reporting one and must raise nothing. They are written the way patients type: typos, no capitals,
long stories with the symptom in the middle. The "held-out trial" sections come from an evaluation
written without looking at these tables; each case it found wrong was fixed by a general rule.
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
    ("I cant see out of one eye suddenly", "stroke"),
    ("my vision went black in one eye", "stroke"),
    # fresh-eyes trial: the negation is part of the symptom ("not breathing")
    ("he is not breathing", "breathing"),
    ("not breathing", "breathing"),
    ("he's not breathing", "breathing"),
    ("she stopped breathing", "breathing"),
    ("no he is not breathing", "breathing"),
    ("my lips turned blue", "breathing"),
    ("my baby is turning blue", "breathing"),
    # fresh-eyes trial: collapsed, fainted, cannot be woken, seizures (the emergency number, not the clinic)
    ("she is not waking up", "unresponsive"),
    ("she is not responding", "unresponsive"),
    ("he is unresponsive", "unresponsive"),
    ("he is unconscious", "unresponsive"),
    ("he has been unconscious for 5 minutes", "unresponsive"),
    ("my mother won't wake up", "unresponsive"),
    ("I can't wake him up", "unresponsive"),
    ("my dad collapsed", "unresponsive"),
    ("I passed out after getting home", "unresponsive"),
    ("I fainted", "unresponsive"),
    ("now he's burning up and won't wake up properly", "unresponsive"),
    ("seizure", "seizure"),
    ("my kid is having a seizure after his SDR", "seizure"),
    ("he's seizing", "seizure"),
    # fresh-eyes trial: the patient says it is an emergency
    ("emergency", "emergency_call"),
    ("EMERGENCY!!!", "emergency_call"),
    ("this is an emergency", "emergency_call"),
    ("call an ambulance", "emergency_call"),
    ("I need an ambulance", "emergency_call"),
    ("call 911", "emergency_call"),
    # fresh-eyes trial: overdose (the emergency number first, then the crisis line)
    ("I took all my pain pills at once", "overdose"),
    ("I overdosed on my oxycodone", "overdose"),
    ("I took too many pills", "overdose"),
    ("I swallowed a whole bottle of tylenol", "overdose"),
    ("i took 20 pills", "overdose"),
    # fresh-eyes trial: allergy and airway, blood, fever by the number
    ("hives all over and my tongue feels thick", "allergic_reaction"),
    ("hives all over", "allergic_reaction"),
    ("my tongue feels thick", "allergic_reaction"),
    ("I'm coughing up blood", "bleeding"),
    ("I threw up blood", "bleeding"),
    ("I'm 38.5 degrees", "fever"),
    ("my temperature is 38.5", "fever"),
    ("temp 101.5", "fever"),
    ("running 39", "fever"),
    ("I'm 39.5", "fever"),
    # crisis
    ("I want to kill myself", "self_harm"),
    ("i've been thinking about suicide", "self_harm"),
    ("honestly everyone would be better off dead without me, the pain never ends", "self_harm"),
    ("I don't want to live anymore", "self_harm"),
    ("sometimes I think about hurting myself", "self_harm"),
    ("I feel so hopeless, what's the point of going on", "self_harm"),
    ("whats the point of living", "self_harm"),
    # crisis: only a clear denial right before the words, or a past mention told to ask a question, is set aside
    ("I'm not suicidal yet", "self_harm"),
    ("no i want to die", "self_harm"),
    ("I'm not going to kill myself but I think about it", "self_harm"),
    ("I'm not suicidal but I can't go on like this", "self_harm"),
    ("I used to be suicidal years ago and lately the thoughts are back, is rhizotomy safe?", "self_harm"),
    ("I used to be suicidal, and now I'm feeling it again", "self_harm"),
    ("i have been getting suicidal thoughts since the pain got worse", "self_harm"),
    # precedence: a first-person report wins over question framing and over an earlier negation
    ("I don't have a fever but I can't feel my legs", "weakness"),
    ("no fever. but there is pus at the site", "wound_infection"),
    ("Can rhizotomy cause paralysis? Because my legs feel weak", "weakness"),
    ("is it possible I have an infection? the site is hot to the touch", "wound_infection"),
    ("I had a fever last week and I still have it", "fever"),
    ("I'm worried about my fever", "fever"),
    ("could this be a stroke", "stroke"),
    ("no i cant feel my legs", "weakness"),
    ("Fever: yes", "fever"),
    ("fever: no, chills: yes", "fever"),
    ("I have a fever like my friend had", "fever"),
    ("my friend had a fever and now I have one too", "fever"),
    ("My side effects:\n- fever\n- pus at the site", "fever"),
    ("Symptoms I have now:\n- chest pain", "chest_pain"),
    ("Are these normal after rhizotomy?\n- fever\n- chills", "fever"),
    # held-out trial (written independently of these tables; its categories): fever
    ("hi my temp is 38.9 since this morning after the rfa yesterday what do i do", "fever"),
    ("im burning up and shaky, had the nerve burning done tuesday", "fever"),
    ("feelin feverish n achy all over 2 days after my neck procedure", "fever"),
    ("my son had sdr 5 days ago and hes running a fever of 39.4 tonight, hes very sleepy", "fever"),
    (
        (
            "Good afternoon. I underwent a cervical rhizotomy on Monday and have since developed a temperature of "
            "101.8 degrees Fahrenheit. I should be grateful for your advice."
        ),
        "fever",
    ),
    ("got the chills really bad and my back where they did the needles is sore", "fever"),
    ("had rhizotomy thurs. woke up drenched in sweat shivering n temp 38.6", "fever"),
    ("fevr since last nite and injection site hurts", "fever"),
    ("feel hot and cold all day and my whole body aches", "fever"),
    ("daughter post sdr day 6, temp 102, not eating, wound looks ok", "fever"),
    (
        (
            "So I had the procedure last week, everything went fine at first, I was walking around the next day, "
            "did my exercises, went back to work on Friday, and then yesterday evening I started getting a high "
            "temperature and the shakes and my husband says I look flushed, anyway my real question is when can I "
            "drive again"
        ),
        "fever",
    ),
    ("temperature 39.1 this morning is that ok after ablation", "fever"),
    ("thermometer says 38.7 and i feel awful", "fever"),
    ("i have a feaver and my neck is stiff", "fever"),
    # held-out trial: infection
    ("theres yellow stuff coming out of the needle hole on my neck", "wound_infection"),
    ("the incision on my daughters back is oozing and smells bad", "wound_infection"),
    ("my wound has pus in it", "wound_infection"),
    ("site is red hot and swollen and leaking gunk", "wound_infection"),
    (
        (
            "Dear nurse, the puncture site on my lower back has become inflamed and is discharging a greenish "
            "fluid. Kindly advise."
        ),
        "wound_infection",
    ),
    ("green discharge from my sons incision after his rhizotomy, dressing is wet", "wound_infection"),
    ("its all red and swollen where they put the needle and hot to touch", "wound_infection"),
    ("puss coming out of the spot on my back", "wound_infection"),
    ("the stitches look angry and theres like white goo", "wound_infection"),
    ("wound opened up a bit and theres pus and it stinks", "wound_infection"),
    ("red streaks going up from the injection site", "wound_infection"),
    (
        "the area where they went in is getting more red and swollen every day and really hurts to touch",
        "wound_infection",
    ),
    # held-out trial: bleeding
    ("bleeding through the dressing and it wont stop", "bleeding"),
    ("my neck where they did the procedure keeps bleeding, ive changed the gauze 3 times", "bleeding"),
    ("blood everywhere on the bed sheets from my back", "bleeding"),
    ("his incision is bleeding a lot, soaked through his shirt", "bleeding"),
    ("I am bleeding heavily from the injection site and I take warfarin", "bleeding"),
    ("cant get the bleeding to stop on my back", "bleeding"),
    ("the bandage is full of blood and it keeps coming", "bleeding"),
    ("coughing up blood since this morning", "bleeding"),
    ("bleedin alot from the needle spot pls help", "bleeding"),
    ("threw up blood twice", "bleeding"),
    ("my wound is bleeding nonstop", "bleeding"),
    ("ive pressed on it for 20 mins and its still bleeding", "bleeding"),
    # held-out trial: weakness
    ("i cant move my legs", "weakness"),
    ("my left arm has gone weak since the procedure, i cant lift a cup", "weakness"),
    ("suddenly cant feel or move my right leg", "weakness"),
    ("my son cant stand up anymore since this afternoon, his legs just give way", "weakness"),
    ("legs feel like jelly and keep buckling under me", "weakness"),
    ("I woke this morning to find I am unable to move my left hand. I had the neurotomy on Wednesday.", "weakness"),
    ("my face is drooping on one side and my words are slurred", "stroke"),
    ("arm went dead and wont work since i got home", "weakness"),
    ("i keep dropping things my hand has no strength", "weakness"),
    ("paralysed from the waist down cant get out of bed", "weakness"),
    ("my foot is floppy and dragging when i walk, started today", "weakness"),
    ("both legs numb and weak cant walk properly", "weakness"),
    ("cnt lift my arm above my head anymore its so weak", "weakness"),
    # held-out trial: numbness
    ("numbness is spreading up my leg", "weakness"),
    ("the numb feeling started in my fingers now its my whole arm", "weakness"),
    ("cant feel my legs", "weakness"),
    ("numbness in my groin and inner thighs since this morning", "bladder_bowel"),
    ("my whole left side has gone numb", "weakness"),
    ("tingling and numbness moving up both legs getting worse by the hour", "weakness"),
    ("I've lost all feeling in my right arm", "weakness"),
    ("my daughters legs are numb all the way up to her tummy after sdr", "weakness"),
    ("numb down there, cant feel when i wipe", "bladder_bowel"),
    ("the numbness keeps spreading across my face", "weakness"),
    ("numbnes getting worse and going up my back", "weakness"),
    # held-out trial: bladder bowel
    ("i wet myself and didnt even feel it", "bladder_bowel"),
    ("cant pee since the procedure, its been 12 hours", "bladder_bowel"),
    ("lost control of my bowels this morning", "bladder_bowel"),
    ("I have become incontinent since the operation", "bladder_bowel"),
    ("pooped myself without knowing, im so embarrassed", "bladder_bowel"),
    ("my son hasnt peed since yesterday after his rhizotomy", "bladder_bowel"),
    ("cant hold my wee anymore, keep leaking", "bladder_bowel"),
    ("i cant feel when i need to go to the toilet", "bladder_bowel"),
    ("peed the bed last nite never happened before and my legs feel weird", "bladder_bowel"),
    ("unable to urinate", "bladder_bowel"),
    # held-out trial: headache csf
    ("worst headache ive ever had in my life omg", "severe_headache"),
    ("my head is pounding only when i stand up, goes away lying down", "severe_headache"),
    ("clear fluid dripping from my back where the needle went in", "csf_leak"),
    ("sudden terrible headache and my neck is stiff and light hurts my eyes", "severe_headache"),
    ("headache so bad i threw up, its the worst ive ever had", "severe_headache"),
    ("theres watery stuff leaking from my injection site", "csf_leak"),
    (
        ("Since the procedure I have had an extremely severe headache that is markedly worse when sitting upright."),
        "severe_headache",
    ),
    ("my head feels like its gonna explode", "severe_headache"),
    ("clear liquid coming from my nose since the op and a headache", "csf_leak"),
    ("headache is unbearable cant even lift my head off the pillow", "severe_headache"),
    ("worst hedache ever, came on out of nowhere", "severe_headache"),
    # held-out trial: chest pain
    ("chest pain", "chest_pain"),
    ("my chest feels tight and heavy and the pain goes down my left arm", "chest_pain"),
    ("crushing pain in my chest", "chest_pain"),
    ("having chest pains since i got home", "chest_pain"),
    ("My husband is complaining of pain in his chest and is sweating profusely.", "chest_pain"),
    ("pressure in my chest like an elephant sitting on it", "chest_pain"),
    ("sharp pain in chest when i breathe in", "chest_pain"),
    ("heart racing and chest hurts", "chest_pain"),
    ("i think im having a heart attack", "chest_pain"),
    ("chest is really tight n sore", "chest_pain"),
    # held-out trial: breathing
    ("cant breathe properly", "breathing"),
    ("i cant breath", "breathing"),
    ("short of breath just walking to the bathroom", "breathing"),
    ("struggling to catch my breath", "breathing"),
    ("my son is breathing really fast and his lips look blue", "breathing"),
    ("gasping for air", "breathing"),
    ("I am experiencing considerable difficulty breathing this evening.", "breathing"),
    ("hard to breathe since the injection", "breathing"),
    ("wheezing and can't get enough air", "breathing"),
    ("my daughter stopped breathing for a few seconds while asleep", "breathing"),
    ("brething is really hard rn", "breathing"),
    # held-out trial: allergy
    ("my lips are swelling up", "allergic_reaction"),
    ("face and throat swelling after the injection", "allergic_reaction"),
    ("hives all over and my throat feels tight", "allergic_reaction"),
    ("tongue feels huge and swollen", "allergic_reaction"),
    ("my eyes and face are puffing up and im itchy all over", "allergic_reaction"),
    ("broke out in hives and its hard to breathe", "allergic_reaction"),
    ("throat is closing up", "allergic_reaction"),
    ("I believe I am having an allergic reaction; my lips and eyelids have swollen considerably.", "allergic_reaction"),
    ("rash everywhere and my lips are tingling and swelling", "allergic_reaction"),
    ("is this anaphylaxis my throat is tight and im wheezy", "allergic_reaction"),
    # held-out trial: self harm
    ("honestly i just want to kill myself tbh", "self_harm"),
    ("i dont want to be here anymore", "self_harm"),
    ("thinking about ending it all, the pain is too much", "self_harm"),
    ("i wish i was dead", "self_harm"),
    ("been thinking of taking all my pills at once", "self_harm"),
    ("if the pain doesnt stop im going to end my life", "self_harm"),
    ("I no longer see any point in living with this pain.", "self_harm"),
    ("sometimes i think everyone would be better off without me", "self_harm"),
    ("i want to hurt myself", "self_harm"),
    ("cant go on like this anymore, want to die", "self_harm"),
    ("im suicidal", "self_harm"),
    # held-out trial: buried
    (
        (
            "hi there, quick one, had my neck rhizotomy on the 3rd and the pain relief is great so far, really "
            "happy, but since about lunchtime i cant really feel my right arm and its getting weaker, also wanted "
            "to ask about when i can go swimming again"
        ),
        "weakness",
    ),
    (
        (
            "Hello, my name is Margaret, I am 78 years of age. I attended your clinic on Tuesday for the "
            "radiofrequency procedure. I wish to report that since yesterday evening I have been experiencing a "
            "high fever and shivering. Furthermore I would like to enquire about my follow-up appointment. Yours "
            "sincerely, Margaret"
        ),
        "fever",
    ),
    (
        (
            "ok so like the procedure went fine lol and the nurse was lovely, anyway my back where they did it is "
            "now full of pus and super sore, also do u guys validate parking"
        ),
        "wound_infection",
    ),
    (
        (
            "Our son (7) had SDR 10 days ago. Physio is going well. Tonight he told us he can't feel his legs and "
            "he's had an accident in his pants, which he never does. Should we wait for the morning appointment?"
        ),
        "weakness",
    ),
    (
        (
            "my wife had the nerve ablation this morning and now shes having trouble breathing and her lips are "
            "swelling what do we do"
        ),
        "allergic_reaction",
    ),
    ("just a question about billing but also my chest has been hurting since last night", "chest_pain"),
    (
        (
            "I wanted to say thank you to Dr Patel and the team, everyone was so kind. The only thing is that "
            "since Sunday I have had the most dreadful headache, far worse than any I have had before, and it is "
            "worse whenever I sit up. I am otherwise well. Kind regards, Joan"
        ),
        "severe_headache",
    ),
    (
        (
            "hey so its day 3 after sdr for my little one, hes eating ok and sleeping ok mostly, we did the "
            "stretches, his wound dressing has been leaking clear watery fluid all afternoon and hes complaining "
            "his head hurts, anyway is it ok to give him calpol"
        ),
        "csf_leak",
    ),
    (
        (
            "question about my follow up. Also the site has been bleeding on and off all day and now its soaked "
            "the dressing and my shirt. when is my next appt"
        ),
        "bleeding",
    ),
    (
        (
            "had the procedure friday went home fine watched telly slept then this morning tried to get up and my "
            "left leg just wont hold me up at all and i fell over, my daughter is here now, what time does the "
            "clinic open"
        ),
        "weakness",
    ),
    (
        (
            "Dear clinic, I am 84 and had the nerve procedure on my neck on Thursday last. My granddaughter is "
            "typing this for me. I have been unable to pass water since yesterday morning and my tummy is very "
            "swollen and sore. I do not wish to be a nuisance."
        ),
        "bladder_bowel",
    ),
    (
        (
            "thanks for the leaflet, read it all, i know fever is a warning sign so just letting u know i actually "
            "have one now, 38.8"
        ),
        "fever",
    ),
    (
        (
            "not sure if this matters but my tongue and lips have gone all puffy in the last half hour and my "
            "voice sounds weird"
        ),
        "allergic_reaction",
    ),
    (
        (
            "honestly the pain is so bad i have been thinking about killing myself, anyway can i get the procedure "
            "sooner"
        ),
        "self_harm",
    ),
    # report first, then a question asking for help: the question does not cancel the report
    ("my sons wound is full of pus what do we do", "wound_infection"),
    ("the site where they did it is full of pus", "wound_infection"),
    ("what should we do the site is full of pus", "wound_infection"),
    ("the wound is oozing is that normal", "wound_infection"),
    ("fever 39.2 since last night is that ok", "fever"),
    ("fever since this morning, can i still take my tablets", "fever"),
    ("the site is bleeding heavily, can i put ice on it", "bleeding"),
    ("my back where they did the procedure keeps bleeding", "bleeding"),
    ("i know fever is a warning sign and i have one now", "fever"),
    ("the nurse said to call if anything changes, temp: 38.9", "fever"),
    ("chest pain heart rate 140", "chest_pain"),
    # carers: someone else's symptom now
    ("he told me his wound is full of pus", "wound_infection"),
    ("shes having trouble breathing what do we do", "breathing"),
    ("her lips are swelling what should we do", "allergic_reaction"),
    ("my son says he cant feel his feet, should we wait", "weakness"),
    ("she keeps being sick and her head is killing her", "severe_headache"),
    ("is this an allergic reaction? her face is swelling", "allergic_reaction"),
    ("our baby is struggling to breathe", "breathing"),
    ("i think he might have a fever", "fever"),
    # more ways to say it
    ("my right side has gone completely numb", "weakness"),
    ("the numbness has spread to my whole leg", "weakness"),
    ("i cant tell when i need to pee anymore", "bladder_bowel"),
    ("havent had a wee since the op this morning", "bladder_bowel"),
    ("blood has soaked through the dressing twice", "bleeding"),
    ("cnt feel my legs", "weakness"),
    ("theres clear stuff dripping from my back", "csf_leak"),
    ("the headache is worse when i sit up and better lying down, is this normal", "csf_leak"),
    ("i had fever last week and its back now", "fever"),
    ("i see no point in living anymore", "self_harm"),
    ("been thinking about taking all my tablets", "self_harm"),
    ("my left leg just wont hold me up at all and i fell over", "weakness"),
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
    # fresh-eyes trial: questions about the future ("my" here names a body part, it reports nothing)
    "am i going to be paralyzed",
    "can it cause weakness in my arms?",
    "will I have weakness in my legs after SDR?",
    "could I end up unable to move my legs?",
    "could I lose control of my bladder after the procedure?",
    "could my son end up paralyzed from the SDR?",
    "is there a chance of a csf leak causing headaches?",
    "is my son going to be paralyzed",
    "will I be unconscious during the procedure?",
    "are you unconscious during rhizotomy?",
    "can you overdose on gabapentin?",
    "what if I take too many pain pills?",
    "Do I need to call an ambulance if I get a fever?",
    "what should I do in an emergency?",
    "is there an emergency number?",
    "Do people get seizures after SDR?",
    # fresh-eyes trial: form-style answers and instructions
    "Fever: no",
    "fever - no, pus - no",
    "Fever: none. Pus: none. Question: when can I drive?",
    "any fever or chills? no",
    "fever free for 3 days",
    "no fever or chills",
    "my doctor asked me to watch for fever, what else should I watch for?",
    # fresh-eyes trial: someone else, lists of risks
    "my friend had a fever after her rhizotomy, is that common?",
    "people who had SDR had weakness in their legs, will that happen to me?",
    "# Risks\n- SDR\n- paralysis?",
    "what are the side effects:\n- fever\n- bleeding\n- paralysis",
    "Complications:\n1. infection\n2. paralysis",
    # fresh-eyes trial: a clear denial, or a past mention told to ask a question, is not a crisis
    "I'm not feeling suicidal, just frustrated with the pain",
    "I used to have suicidal thoughts years ago, is rhizotomy safe for people with depression?",
    "no suicidal thoughts, just want to know about recovery",
    "I have never been suicidal",
    "I don't have any suicidal thoughts",
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
    "my mum had a seizure years ago, can she have rhizotomy?",
    "I passed out once during a blood test years ago",
    # ordinary expected symptoms
    "mild soreness at the injection site",
    "I have mild numbness at the site",
    "my neck is stiff",
    "a little bruising where the needle went in",
    "slight redness at the needle site",
    "my legs are not numb",
    "the bruise turned blue",
    "I'm used to the numbness in my legs",
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
    "I'm 40 years old, is rhizotomy right for me?",
    "I'm 40 F, had rhizotomy last year",
    "im 38 weeks pregnant, can I have the procedure",
    "can I go running 2 weeks after the procedure",
    "I have a seizure disorder, is SDR safe?",
    "I faint at the sight of needles, can I be sedated?",
    "my pain is not responding to medication",
    "my disc collapsed, would rhizotomy help?",
    "I'm not waking up at night with pain anymore",
    "he's not waking up at night anymore since the SDR",
    "I stop breathing in my sleep, I have sleep apnea, is sedation ok?",
    "can I take all my pills at once the morning of the procedure?",
    "I took all my meds this morning as usual",
    "what's the point of the nerve block",
    # held-out trial: risk question
    "can a rhizotomy cause paralysis",
    "whats the chance of getting an infection after rfa",
    "is fever a common side effect",
    "how do i know if my wound is infected",
    "what are the warning signs i should look out for after the procedure",
    "could the injection make me incontinent",
    "is there a risk of a spinal fluid leak",
    "what happens if i get a bad headache after",
    "Is it possible to experience breathing difficulties after the procedure?",
    "my mum wants to know if it can cause weakness in her legs",
    "does the procedure ever lead to bleeding problems",
    "can you be allergic to the local anesthetic",
    "what should i do if i start bleeding at home",
    "who do i call if i get a fever over the weekend",
    "how common is chest pain after sedation",
    "whats the risk of nerve damage or paralysis with neck rhizotomy",
    "will i lose bladder control",
    "r there any risks of bleeding if im on aspirin",
    "cn it cause a headache",
    "do ppl get fevers after this",
    (
        "Dear Sir or Madam, I should like to know whether the procedure carries any risk of paralysis, as I am 82 "
        "years of age."
    ),
    "what would an allergic reaction look like",
    (
        "hi so my appointment is next tuesday and im a bit nervous, ive read online about people getting paralysed "
        "and bleeding and all sorts and my friend said she had a massive headache after hers, but the doctor said "
        "its rare, anyway what time should i arrive and can i bring my husband"
    ),
    "after sdr is there any chance my son could have problems with his bladder",
    "how would i tell the difference between normal soreness and an infection",
    "the leaflet mentions bleeding, infection and nerve damage as complications, how rare are they",
    "what is a spinal fluid leak and how would i know",
    "should i go to a&e if i get a high temperature",
    # held-out trial: negation
    "no fever no pus just a bit sore",
    "wound looks fine, no redness or discharge",
    "i dont have any numbness or weakness, just the usual ache",
    "not bleeding anymore, just a small bruise",
    "temp is normal 36.8",
    "No chest pain, no shortness of breath, just tired.",
    "havent had any fever since the procedure",
    "legs are fine, can walk normally, no weakness",
    "bladder and bowels working normally",
    "she hasnt had any headaches at all",
    "Fever: no. Chills: no. Redness: a little.",
    "no trouble breathing, just a cough from a cold",
    "no swelling of my face or lips, just a small itchy patch on my arm",
    "didnt bleed at all which surprised me",
    "nothing leaking from the site, dressing is dry",
    "the site isnt red or hot",
    "thx for the info, all good, no fever or anything",
    "Good morning. I am writing to confirm my appointment on the 14th. I have no fever or cold symptoms.",
    "our daughter is a bit grumpy and tired after sdr, no fever, eating ok, is that normal",
    "im not feeling suicidal or anything just frustrated with the pain",
    "never had any problems with bleeding",
    "i can feel my legs fine and can wiggle my toes",
    # held-out trial: past
    "had a fever last year after a different surgery, does that matter",
    "i had a bad headache the day after but its gone now",
    "bit of bleeding on the first night but it stopped straight away",
    "my leg was numb for a couple hours after the injection, that was expected they said, all fine now",
    "years ago I had an allergic reaction to penicillin, is that relevant",
    "used to get migraines as a teenager",
    "I was hospitalised with pneumonia in 2019; will that affect my suitability?",
    "my dad had a heart attack years ago, can he still have the procedure",
    "i was depressed in the past but im doing ok now",
    "the fever broke last night and i feel much better today",
    "numbness wore off after a day",
    "had some chills the first night, gone now",
    "History of asthma, well controlled.",
    "my friend got an infection after her rhizotomy, how do i avoid that",
    (
        "To whom it may concern, I experienced some bleeding from my gums at the dentist last month; should I "
        "mention this before the procedure?"
    ),
    "My son had scarlet fever as a toddler, does that matter for SDR?",
    "the site oozed a tiny bit the first day but its completely dry now",
    "the headache i had after the op cleared up in two days",
    # held-out trial: look alike
    "my hay fever is terrible this week, can i take antihistamines before the procedure",
    "the view from your clinic is breathtaking lol",
    "can i go up to the cabin this weekend? got cabin fever sitting at home",
    "im dying to know when i can play golf again",
    "this paperwork is killing me haha",
    "im bleeding money on parking fees",
    "my heart sank when i saw the bill",
    "the pain relief has been a breath of fresh air",
    "i nearly died laughing at the nurses joke",
    "when can i lift heavy stuff, like moving a chest of drawers",
    "my blood pressure is a bit high, 150/90, is that an issue for the procedure",
    "do i need blood tests before",
    "im on blood thinners, when do i stop them",
    "will the numbing cream hurt",
    "my granddaughter is a big fan of Saturday Night Fever, can she come with me to the appointment",
    "I run a fever clinic at my pharmacy, will I need time off work?",
    "my son has a weakness for sweets, can he eat before the sdr",
    "take a deep breath they said, easier said than done lol, how long is the procedure",
    "my headache is the insurance company, will they cover this",
    "i hate needles, do you use numbing",
    "can i bring my chest x ray results to the appointment",
    "my mum has a hearing weakness so please speak up at the consultation",
    # held-out trial: topic
    "how long should i expect some bleeding from the site to last",
    "what causes the headache some people get after sdr",
    "is weakness in the legs part of the normal recovery after selective dorsal rhizotomy",
    "how long does the numbness last after percutaneous rhizotomy",
    "will i need physio for leg weakness after sdr",
    "can i take ibuprofen for a headache after the procedure",
    "can i shower with the dressing on",
    "how long does it take to recover from a cervical rhizotomy",
    "whats the difference between rhizotomy and neurotomy",
    "when can my son go back to school after sdr",
    "Do I need somebody to drive me home afterwards?",
    "can i fly after a rhizotomy",
    "how long does pain relief last",
    "will i be awake during it",
    "is the procedure covered by insurance",
    "can i eat before my appointment",
    "how soon can i go back to the gym",
    "why do some patients get temporary muscle weakness after sdr",
    "is it normal to have a mild sore back for a few days",
    "my neck is a bit achy after the procedure, is ice ok?",
    "a bit of bruising around the injection site is that normal",
    "mild redness where the needle went in, normal?",
    "site is slightly sore and itchy but otherwise fine",
    "i get headaches sometimes from my glasses, can i still have the procedure",
    "does the nerve grow back, will the pain return",
    "Can I continue my blood pressure medication on the day?",
    "I'm feeling quite tired after the procedure, is that expected?",
    "my back pain is a bit worse for the first couple of days, the leaflet said that can happen",
    "how do I care for the wound at home",
    "when will the stitches come out after sdr",
    "Will I need to take time off work?",
    "whats the best way to sleep after neck rhizotomy",
    "are there stairs at the clinic, my mum uses a walker",
    "my pain is back after 8 months, can i have it redone",
    "my son had sdr 3 weeks ago and is doing great, walking with his frame, when can he go swimming",
    "after SDR how long until the numbness in his feet improves",
    "hw long til i can drive",
    "r u open on sat",
    "does the radiofrequency treat the headaches that come from my neck",
    "i have cervicogenic headaches, would a neck rhizotomy help me",
    "what is the recovery like for leg weakness after sdr and how much physio",
    "can rhizotomy help with spasticity and muscle weakness in cerebral palsy",
    "how do you stop the bleeding during the procedure",
    "whats in the local anaesthetic, im asking because of allergies in general",
    "do i need to bring my inhaler to the appointment",
    "my legs are a bit tired after physio today which the physio said is normal",
    "how many days will there be numbness around the site",
    "can i have the procedure if i have a cold",
    "do i have to stop my fish oil before because of bleeding",
    # a question before the symptom asks about a risk, even with "my"/"his" in it
    "can a rhizotomy in the neck make my arms or hands weak",
    "can it make my legs weak",
    "could it leave my arm numb",
    "can her lips swell from the anaesthetic",
    "will his legs be weak after sdr",
    "do they get fevers after sdr",
    "will she get a fever afterwards",
    "he might get a headache after, is that right",
    "if he gets a fever who do we call",
    "what would a csf leak headache feel like",
    "is numbness in the hands common after neck rhizotomy",
    "is a fever of 38 normal after rfa",
    "is bleeding a side effect",
    "the nurse told us that fever is a warning sign",
    "people can end up paralysed, is that true",
    # a word that only asks about risk, right after the symptom
    "paralysis is that a risk with sdr",
    "paralysis risk after sdr",
    "chest pain after sedation how common is that",
    # over, said in a short clause soon after
    "i had some bleeding the first day, all fine now",
    "had a headache the first night, gone now",
    "my leg felt weak for an hour after, back to normal now",
    "i fell over last year and hurt my back, can i have rhizotomy",
    # look-alikes
    "can you take fever reducers after the procedure",
    "my son has cerebral palsy and weak legs, would sdr help",
)
"""Messages that must raise nothing."""
