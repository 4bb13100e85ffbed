"""The answering policy: the calibrated model, answer-first with options, the portal's scope, and
the invariants a clinic relies on (its own phrasings are answered by their own pair)."""

from __future__ import annotations

import json
import random
import shutil
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
import yaml
from cases import ANSWERS
from sklearn.ensemble import GradientBoostingClassifier
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from chatbot import Chatbot, KnowledgeBaseError, Option
from chatbot.answerer import ProcedureNames, question_part
from chatbot.build import build
from chatbot.index import split_evidence
from chatbot.lexicon import english_correction, informativeness
from chatbot.model import DEFAULT_MODEL, FEATURES, NOT_COVERED, AnswerModel, TopicModel, Trees, decider_rows
from chatbot.normalize import normalize, stem, stemmed_ngrams
from chatbot.pairs import Pair
from chatbot.paths import KnowledgeBasePaths
from chatbot.reply import Source
from chatbot.synonyms import Synonyms
from chatbot.train import BankQuestion, _as_terms, _as_trees, evaluate, read_bank, split_of

BANK = Path(__file__).resolve().parent / "bank"
DATA = Path(__file__).resolve().parent / "data"

OTHER_PROCEDURES: tuple[str, ...] = (
    "how long does the pain relief from spinal fusion last",
    "how long does a facet injection last",
    "what are the risks of a spinal cord stimulator",
    "recovery after kyphoplasty",
    "is an epidural steroid injection painful",
    "can i drive after a genicular nerve block",
)
"""Questions about procedures the documents do not describe, worded like ones they answer."""


@pytest.mark.parametrize("question", OTHER_PROCEDURES)
def test_other_procedures_are_declined(bot: Chatbot, question: str) -> None:
    reply = bot.ask(question)
    assert reply.kind == "fallback", (question, reply.matched_question)
    assert reply.confidence < bot.threshold


def test_every_phrasing_answers_with_its_own_pair(bot: Chatbot) -> None:
    """Every question and variant of pairs.yaml and curated.yaml, asked word for word, gets its pair.

    Nothing the clinic writes may be overruled by the model or a built-in rule.
    """
    owners: dict[str, set[str]] = {}
    for pair in bot.pairs:
        for phrasing in pair.phrasings:
            owners.setdefault(normalize(phrasing), set()).add(pair.id)
    failures = []
    for phrasing, ids in owners.items():
        reply = bot.ask(phrasing)
        if reply.kind != "answer" or reply.pair_id not in ids:
            failures.append((phrasing, reply.kind, reply.pair_id))
    assert not failures


@pytest.mark.parametrize(
    ("question", "names_one"),
    [
        ("will i need someone to drive me home", False),
        ("can i eat before it", False),
        ("how long does the relief last", True),  # "the" is dropped with the words that name a procedure
        ("what are the risks of cervical rhizotomy", True),
        ("how long is recovery after sdr", True),
    ],
)
def test_the_topic_similarities_are_those_of_the_question_without_its_procedure(
    bot: Chatbot, question: str, names_one: bool
) -> None:
    """Taken from the search itself when nothing names a procedure (the same text), and worked out otherwise."""
    answerer = bot.answerer_
    query = answerer.index.query(question)
    matches = answerer.matches(query)
    rows = answerer.features(query, matches)
    asked = answerer._asked(query)
    assert (asked != query.expanded) is names_one
    positions = np.asarray([answerer.index.position_[m.pair.id] for m in matches])
    columns = [FEATURES.index(f"topic_{name}_sim") for name in ("phrasing", "answer", "sentence")]
    expected = np.column_stack(answerer.index.similarities(asked, pairs=positions))
    assert rows[:, columns].tolist() == expected.tolist()


def test_a_generic_question_is_answered_first_with_the_others_as_options(bot: Chatbot) -> None:
    reply = bot.conversation().ask("is it safe")
    assert reply.kind == "answer"
    assert reply.about == reply.procedure and reply.text.startswith(f"About {reply.procedure}")
    assert reply.passage in reply.text
    assert reply.options and all(isinstance(option, Option) for option in reply.options)
    assert reply.procedure not in {option.procedure for option in reply.options}


@pytest.mark.parametrize(
    ("question", "procedure"),
    [
        ("can i drive home after the procedure", "percutaneous rhizotomy"),
        ("when can i go back to the gym", "cervical rhizotomy"),
    ],
)
def test_an_answer_names_its_procedure_when_the_question_did_not(bot: Chatbot, question: str, procedure: str) -> None:
    """Only one procedure's documents answer these, so there are no options; the patient is still told whose."""
    reply = bot.conversation().ask(question)
    assert reply.kind == "answer" and reply.procedure == procedure and not reply.options
    assert reply.about == procedure and reply.text.startswith(f"About {procedure}:")


def test_an_option_asks_the_same_question_about_its_procedure(bot: Chatbot) -> None:
    conversation = bot.conversation()
    option = conversation.ask("is it safe").options[0]
    reply = conversation.ask(option.question)
    assert reply.kind == "answer" and reply.procedure == option.procedure
    assert reply.topic in {"risks", "side-effects"}


def test_a_named_procedure_gets_no_options_and_no_preamble(bot: Chatbot) -> None:
    reply = bot.ask("What are the risks of percutaneous rhizotomy?")
    assert reply.kind == "answer" and reply.procedure == "percutaneous rhizotomy"
    assert not reply.options and not reply.about and reply.text.startswith(reply.passage[:40])


@pytest.mark.parametrize(
    ("scope", "question", "procedure"),
    [
        ("cervical-rhizotomy", "is it safe", "cervical rhizotomy"),
        ("percutaneous rhizotomy", "can i eat before", "percutaneous rhizotomy"),
        ("SDR", "is it safe", "selective dorsal rhizotomy"),
    ],
)
def test_a_portal_scopes_the_conversation_to_its_procedure(
    bot: Chatbot, scope: str, question: str, procedure: str
) -> None:
    conversation = bot.conversation(procedure=scope)
    reply = conversation.ask(question)
    assert reply.kind == "answer" and reply.procedure == procedure
    assert not reply.options


def test_an_unknown_portal_procedure_is_refused(bot: Chatbot) -> None:
    with pytest.raises(ValueError, match=r"unknown procedure 'kyphoplasty'; the knowledge base covers: .*rhizotomy"):
        bot.conversation(procedure="kyphoplasty")


def test_a_document_that_names_another_documents_procedure_joins_it(bot: Chatbot) -> None:
    """ "Cervical neurotomy, also known as … cervical rhizotomy" makes them one procedure."""
    assert {p.procedure for p in bot.pairs if p.source.document == "cervical-neurotomy.txt"} == {"cervical rhizotomy"}
    assert bot.ask("what is cervical neurotomy").procedure == "cervical rhizotomy"


def test_threshold_both_sides(bot: Chatbot) -> None:
    reply = bot.ask("how long does the relief last after cervical rhizotomy")
    assert reply.kind == "answer"
    below = bot.with_model(bot.model, threshold=reply.confidence - 0.001)
    above = bot.with_model(bot.model, threshold=min(reply.confidence + 0.001, 0.9999))
    assert below.ask("how long does the relief last after cervical rhizotomy").kind == "answer"
    assert above.ask("how long does the relief last after cervical rhizotomy").kind == "fallback"


def test_confidence_is_the_models_probability(bot: Chatbot) -> None:
    reply = bot.ask("can i eat before the procedure")
    assert reply.kind == "answer" and bot.threshold <= reply.confidence <= 1.0
    assert reply.reason


def test_adding_an_unrelated_document_changes_no_answer(bot: Chatbot, faq_copy: Path) -> None:
    """A knee leaflet changes no answer's facts. New words shift every TF-IDF weight a little, so
    a few answers cross the threshold, and a few may swap between two passages that both state
    the question's facts (two neck documents' recovery passages; the evaluation passage and the
    diagnostic nerve block passage for "what tests are done before"; the percutaneous side-effects
    list and risks passage, 0.857 and 0.853, both naming infection, bleeding and numbness);
    nothing else may change."""
    shutil.copy(DATA / "genicular-nerve-block.md", faq_copy / "documents")
    build(KnowledgeBasePaths.at(faq_copy))
    bigger = Chatbot.load(faq_copy)
    switched, swapped, flipped = [], [], []
    for question, facts in ANSWERS:
        before, after = bot.ask(question), bigger.ask(question)
        if before.pair_id and after.pair_id and before.pair_id != after.pair_id:
            stated = all(_has(after.text, fact) for fact in facts)
            (swapped if stated else switched).append((question, before.pair_id, after.pair_id))
        elif before.kind != after.kind:
            flipped.append(question)
    assert not switched, "no answer becomes another passage"
    assert len(swapped) <= 0.02 * len(ANSWERS), swapped
    assert len(flipped) <= 0.05 * len(ANSWERS), flipped
    reply = bigger.ask("what is a genicular nerve block")
    assert reply.kind == "answer" and reply.sources[0].document == "genicular-nerve-block.md"


def _has(text: str, fact: str) -> bool:
    return any(alternative.lower() in text.lower() for alternative in fact.split("|"))


# -- the model file -------------------------------------------------------------------------------


def test_the_shipped_model_is_reviewed_text_with_a_threshold() -> None:
    data = json.loads(DEFAULT_MODEL.read_text(encoding="utf-8"))
    assert data["features"] == list(FEATURES)
    assert 0.0 < data["threshold"] < 1.0
    assert data["ranker"]["kind"] == "trees" and data["ranker"]["trees"]


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("{not json", r"answer model cannot be read"),
        ('{"features": ["score"]}', r"trained on other features: run `python -m chatbot train`"),
        ("[]", r"trained on other features"),
    ],
)
def test_a_broken_model_file_stops_loading(tmp_path: Path, text: str, reason: str) -> None:
    path = tmp_path / "model.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(KnowledgeBaseError, match=reason):
        AnswerModel.from_file(path)


def test_a_missing_model_file_says_how_to_make_it(tmp_path: Path) -> None:
    with pytest.raises(KnowledgeBaseError, match=r"model.json: answer model not found: run `python -m chatbot train`"):
        AnswerModel.from_file(tmp_path / "model.json")


def test_a_model_with_a_threshold_out_of_range_is_refused(tmp_path: Path) -> None:
    data = json.loads(DEFAULT_MODEL.read_text(encoding="utf-8"))
    data["threshold"] = 1.5
    path = tmp_path / "model.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(KnowledgeBaseError, match=r"answer threshold must be between 0 and 1, got 1.5"):
        AnswerModel.from_file(path)


def test_trees_as_text_predict_what_scikit_learn_predicts() -> None:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(400, len(FEATURES)))
    y = (x[:, 0] + x[:, 3] * x[:, 5] > 0).astype(int)
    boosted = GradientBoostingClassifier(n_estimators=40, max_depth=3, random_state=0).fit(x, y)
    trees = _as_trees(boosted, x[:1])
    assert np.allclose(trees.raw(x), boosted.decision_function(x), atol=1e-6)


def _walk_each_tree(trees: Trees, rows: np.ndarray) -> np.ndarray:
    """The reference evaluation: every row down every tree, one node at a time, as scikit-learn walks."""
    rows = rows.astype(np.float32).astype(np.float64)
    out = np.zeros((rows.shape[0], trees.feature.shape[0]))
    for r, row in enumerate(rows):
        for t in range(trees.feature.shape[0]):
            node = 0
            while trees.left[t, node] != node:
                go_left = row[trees.feature[t, node]] <= trees.threshold[t, node]
                node = trees.left[t, node] if go_left else trees.right[t, node]
            out[r, t] = trees.value[t, node]
    return trees.baseline + out.sum(axis=1)


@pytest.mark.parametrize(
    ("depth", "features", "rows", "seed"),
    [(1, 3, 1, 0), (2, 5, 7, 1), (3, 8, 12, 2), (3, len(FEATURES), 40, 3), (4, 6, 9, 4), (5, 4, 30, 5)],
)
def test_all_trees_at_once_equal_walking_each_tree(depth: int, features: int, rows: int, seed: int) -> None:
    """Trees of uneven shape (leaves above the last level, padding), ties at a threshold, NaN and inf."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(400, features))
    y = (x[:, 0] + x[:, -1] * x[:, 1 % features] > 0.3).astype(int)
    boosted = GradientBoostingClassifier(n_estimators=30, max_depth=depth, min_samples_leaf=40, random_state=seed)
    trees = replace(_as_trees(boosted.fit(x, y), x[:1]), depth=depth)
    probe = rng.normal(size=(rows, features))
    probe[0, 0] = trees.threshold[0, 0]
    if rows > 2:
        probe[1, :] = np.nan
        probe[2, -1] = np.inf
    assert trees.raw(probe).tolist() == _walk_each_tree(trees, probe).tolist()
    logodds = boosted.decision_function(x)
    assert np.allclose(trees.raw(x) - trees.raw(x[:1]), logodds - logodds[0], atol=1e-6)


def test_the_shipped_ranker_at_once_equals_walking_each_tree() -> None:
    trees = AnswerModel.from_file(DEFAULT_MODEL).ranker
    assert isinstance(trees, Trees)
    probe = np.random.default_rng(0).uniform(-0.5, 1.2, size=(12, len(FEATURES)))
    assert trees.raw(probe).tolist() == _walk_each_tree(trees, probe).tolist()


def test_decider_rows_lead_over_the_best_rival_on_another_topic() -> None:
    scores = np.array([3.0, 2.5, 1.0, 0.5])
    topics = np.array([1, 1, 2, 2])
    lead = decider_rows(np.zeros((4, 1)), scores, topics)[:, -1]
    assert lead.tolist() == [2.0, 1.5, -2.0, -2.5]  # a tie within one topic is no doubt
    assert decider_rows(np.zeros((2, 1)), np.array([1.0, 0.25]), np.array([7, 7]))[:, -1].tolist() == [0.75, -0.75]
    assert decider_rows(np.zeros((1, 1)), np.array([1.0]), np.array([7]))[:, -1].tolist() == [5.0]


TOPIC_EXAMPLES = [
    ("how risky is it", "risks"),
    ("what can go wrong", "risks"),
    ("is it dangerous", "risks"),
    ("how long does the relief last", "duration"),
    ("how many years will it work", "duration"),
    ("when can i go back to work", "return-to-activities"),
    ("how much time off work", "return-to-activities"),
    ("how much does it cost", NOT_COVERED),
    ("will insurance pay", NOT_COVERED),
]


def _tiny_topic_model() -> tuple[TopicModel, TfidfVectorizer, LogisticRegression]:
    terms = [stemmed_ngrams(normalize(q)) for q, _ in TOPIC_EXAMPLES]
    vectorizer = TfidfVectorizer(analyzer=_as_terms, sublinear_tf=True)
    logistic = LogisticRegression(C=10.0).fit(vectorizer.fit_transform(terms), [t for _, t in TOPIC_EXAMPLES])
    vocabulary = {term: int(column) for term, column in vectorizer.vocabulary_.items()}
    model = TopicModel(tuple(logistic.classes_), vocabulary, vectorizer.idf_, logistic.coef_, logistic.intercept_)
    return model, vectorizer, logistic


@pytest.mark.parametrize("question", ["is it risky to go back to work", "cost of the relief", "", "zzz qqq"])
def test_the_topic_model_as_text_predicts_what_scikit_learn_predicts(question: str) -> None:
    model, vectorizer, logistic = _tiny_topic_model()
    terms = stemmed_ngrams(normalize(question))
    expected = logistic.predict_proba(vectorizer.transform([terms]))[0]
    assert np.allclose(model.probabilities(terms), expected, atol=1e-9)
    assert TopicModel.from_data(model.to_data()).probabilities(terms) == pytest.approx(expected, abs=1e-3)


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (lambda d: d.update(coef=d["coef"][:-1]), r"classes, terms and coefficients do not fit together"),
        (lambda d: d.update(terms=d["terms"][:-1]), r"do not fit together"),
        (lambda d: d.update(classes=["risks"]), r"do not fit together"),
        (lambda d: d["idf"].__setitem__(0, float("nan")), r"non-finite values"),
    ],
)
def test_a_broken_topic_model_stops_loading(tmp_path: Path, change: object, reason: str) -> None:
    data = json.loads(DEFAULT_MODEL.read_text(encoding="utf-8"))
    change(data["topics"])  # type: ignore[operator]
    path = tmp_path / "model.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    inconsistent = r"model.json: answer model is incomplete or inconsistent: .*"
    with pytest.raises(KnowledgeBaseError, match=inconsistent + reason):
        AnswerModel.from_file(path)


def test_the_shipped_topic_model_reads_lay_questions(bot: Chatbot) -> None:
    """Neighbouring topics share some wording: the judges of the generic batch found the summary
    passages on how long relief lasts right answers to duration questions, and recovery passages
    speak of going back to work (the answers themselves are checked in the tables)."""
    topics = bot.model.topics
    assert topics is not None
    for question, topic in [
        ("how risky is it", "risks"),
        ("how long does the relief last", "duration|summary"),
        ("when can i go back to the office", "return-to-activities|recovery"),
    ]:
        probabilities = topics.probabilities(bot.answerer_.topic_terms(bot.answerer_.index.query(question)))
        assert topics.classes[int(np.argmax(probabilities))] in topic.split("|"), question


def test_a_telling_word_the_documents_never_use_declines_on_both_sides_of_the_cut(bot: Chatbot) -> None:
    """The cut is learned with the threshold (1.0, none, when out of fold it declines more right
    answers than wrong ones); both sides of a cut are checked on a model that has one."""
    question = "what are the risks of a spinal cord stimulator"
    assert bot.ask(question).kind == "fallback"  # the shipped model declines it, cut or not
    assert 0.0 < bot.model.unknown_cut <= 1.0
    cut = bot.with_model(replace(bot.model, unknown_cut=0.8), threshold=0.0)
    declined = cut.answerer_.decide(question)
    assert declined.action == "decline" and "telling word" in declined.reason
    unknown = declined.best.features[FEATURES.index("max_unknown")]  # type: ignore[union-attr]
    assert unknown > 0.8
    above = bot.with_model(replace(bot.model, unknown_cut=min(1.0, unknown + 0.01)), threshold=0.0)
    assert above.answerer_.decide(question).action != "decline"  # the cut, not the threshold, declined it
    assert cut.ask("what are the side effects").kind == "answer"  # no unknown word: the cut does not apply


@pytest.mark.parametrize(
    ("question", "heard_by"),
    [
        # patients ask recovery passages with it ("how sore is she going to be after? should I stock up on
        # paracetamol"): of its candidates, the neck one on over-the-counter medication and the SDR one
        ("can i take paracetamol afterwards", {"cervical-neurotomy/recovery", "selective-dorsal-rhizotomy/recovery"}),
        # patients use it in a story ("…done physio, ibuprofen…"), for these passages only for the
        # neck leaflet's definition
        ("What are the side effects of ibuprofen?", {"cervical-rhizotomy-duration/what-is"}),
        ("what are the risks of a spinal cord stimulator", set()),  # no one's: another procedure
    ],
)
def test_a_word_the_documents_never_use_is_weighed_by_whether_patients_use_it_for_the_passage(
    bot: Chatbot, question: str, heard_by: set[str]
) -> None:
    """``max_unheard`` is ``max_unknown`` of the words the candidate's labelled patient questions never use."""
    query = bot.answerer_.index.query(question)
    matches = bot.answerer_.matches(query)
    rows = bot.answerer_.features(query, matches)
    unknown, unheard = rows[:, FEATURES.index("max_unknown")], rows[:, FEATURES.index("max_unheard")]
    assert (unknown > 0.6).all()
    assert {m.pair.id for m, value in zip(matches, unheard, strict=True) if value == 0.0} == heard_by
    assert ((unheard == 0.0) | (unheard == unknown)).all()
    assert rows[:, FEATURES.index("unheard_beyond")] == pytest.approx(np.maximum(unheard - 0.6, 0.0))


@pytest.mark.parametrize(
    ("message", "telling"),
    [
        # the medicine is named in the story only: the question part alone has no telling unknown word
        ("I've put on weight since starting gabapentin for my sciatica. Is weight gain a known side effect?", True),
        ("My neurologist suggested an occipital nerve block for my headaches. How long does one usually help?", True),
        # a story in the documents' own words: nothing unknown anywhere
        ("I've had neck pain for years and the pills don't help. How long does the relief last?", False),
    ],
)
def test_a_story_s_unknown_words_are_weighed_when_its_question_is_searched_alone(
    bot: Chatbot, message: str, telling: bool
) -> None:
    """``message_unknown`` is the whole message's ``max_unknown``: a story can name another treatment
    its question then only points at ("Is weight gain a known side effect?")."""
    answerer = bot.answerer_
    whole, part = answerer.index.query(message), answerer.index.query(question_part(message))
    assert part.text != whole.text
    whole_rows = answerer.features(whole, answerer.matches(whole))
    part_rows = answerer.features(part, answerer.matches(part), message=whole)
    unknown, column = FEATURES.index("max_unknown"), FEATURES.index("message_unknown")
    assert (part_rows[:, unknown] <= 0.6).all()  # the question part alone says little of it
    assert (part_rows[:, column] == max(whole_rows[0, unknown], part_rows[0, unknown])).all()
    assert (whole_rows[:, column] == whole_rows[:, unknown]).all()  # the whole message: its own
    assert (part_rows[:, column] > 0.6).all() == telling
    beyond = FEATURES.index("message_unknown_beyond")
    assert part_rows[:, beyond] == pytest.approx(np.maximum(part_rows[:, column] - 0.6, 0.0))


@pytest.mark.parametrize(
    "within",
    [
        ("cervical rhizotomy",),
        ("selective dorsal rhizotomy", "percutaneous rhizotomy"),
        ("percutaneous rhizotomy", "no such procedure"),
    ],
)
def test_candidates_within_named_procedures_come_from_their_pairs_alone(bot: Chatbot, within: tuple[str, ...]) -> None:
    answerer = bot.answerer_
    query = answerer.index.query("what are the risks and how long is the recovery")
    found = answerer.matches(query, within=within)
    assert found and {m.pair.procedure for m in found} <= set(within)
    everywhere = {m.pair.procedure for m in answerer.matches(query)}
    assert not everywhere <= set(within)  # the limit is what keeps the others out
    assert answerer.matches(query, within=("no such procedure",)) == []


@pytest.mark.parametrize(
    ("documents_say", "known"),
    [
        ({"cervical", "rhizotomy", "neck"}, {"rhizotomy", "rizotomy", "nek", "neck"}),  # both entries lead somewhere
        ({"rhizotomy"}, {"rhizotomy", "rizotomy"}),  # "neck" is in no document: its lay word leads nowhere
        ({"genicular", "knee"}, set()),  # a knee leaflet: neither entry is about anything it says
    ],
)
def test_a_synonym_is_a_known_word_only_if_its_entry_leads_to_the_documents(
    documents_say: set[str], known: set[str]
) -> None:
    synonyms = Synonyms({"rhizotomy": ("rizotomy", "nerve burning"), "neck": ("nek",)})
    assert synonyms.terms_leading_to(documents_say) == known  # "nerve burning": a phrase, never a known word


def test_an_everyday_word_of_a_procedure_name_does_not_name_it() -> None:
    def pair(procedure: str) -> Pair:
        source = Source("Leaflet", "leaflet.md", "About")
        return Pair(f"{procedure}/what-is", f"What is {procedure}?", "It is a procedure.", source, procedure=procedure)

    names = ProcedureNames([pair("genicular nerve block"), pair("cervical rhizotomy")], Synonyms())
    assert names.named_in("what is a diagnostic nerve block") == ()
    assert names.named_in("is the genicular one painful") == ("genicular nerve block",)
    assert names.named_in("how long does the cervical one last") == ("cervical rhizotomy",)


def _procedure_pair(procedure: str) -> Pair:
    source = Source("Leaflet", "leaflet.md", "About")
    return Pair(f"{procedure}/what-is", f"What is {procedure}?", "It is a procedure.", source, procedure=procedure)


@pytest.mark.parametrize("seed", range(10))
def test_full_names_are_found_and_taken_out_as_trying_every_name_would(seed: int) -> None:
    """Names looked up by runs of words do what trying every name that shares a word does: the
    longest named, and taken out longest first, including a name that appears once another is out."""
    rng = random.Random(seed)
    vocabulary = ["knee", "neck", "block", "nerve", "sdr", "c", "d", "a b", "ablation", "rhizotomy"]
    names = sorted({" ".join(rng.sample(vocabulary, rng.randint(1, 3))) for _ in range(12)} | {"a b", "c d"})
    procedures = ProcedureNames([_procedure_pair(name) for name in names], Synonyms())
    for _ in range(30):
        text = " ".join(rng.choices([*vocabulary, "what", "is", "it"], k=rng.randint(0, 9)))
        padded = f" {text} "
        sharing = {name for word in text.split() for name in procedures.by_word.get(word, ())}
        full = sorted(name for name in sharing if procedures.phrases[name] in padded)
        longest = max((len(name) for name in full), default=0)
        expected = tuple(name for name in full if len(name) == longest)
        if expected:
            assert procedures.named_in(text) == expected
        for name in sorted(sharing, key=lambda name: (-len(procedures.phrases[name]), name)):
            padded = padded.replace(procedures.phrases[name], " ")
        assert procedures.removed_from(text) == " ".join(padded.split())
    two = ProcedureNames([_procedure_pair("a b"), _procedure_pair("c d")], Synonyms())
    assert two.removed_from("x c a b d y") == "x y"  # "c d" is named once "a b" is out


# -- signals ----------------------------------------------------------------------------------------


def test_telling_words_weigh_more_than_common_ones() -> None:
    assert informativeness("kyphoplasty") > informativeness("insurance") > informativeness("again")
    assert informativeness("the") == 0.0


@pytest.mark.parametrize(
    ("typo", "word"),
    [
        ("paracetemol", "paracetamol"),
        ("exercize", "exercise"),
        ("actualy", "actually"),  # a dropped letter: "actuary", one letter changed, is far rarer
        ("realy", "really"),
        ("probaly", "probably"),
        ("insted", "instead"),
        ("painfull", "painful"),  # a letter too many
        ("recieve", "receive"),  # wordfreq lists the misspelling itself: the word is never its own correction
    ],
)
def test_misspelt_common_words_are_corrected(typo: str, word: str) -> None:
    assert english_correction(typo) == word


@pytest.mark.parametrize("word", ["wat", "saef", "rhizotomy", "b4"])
def test_short_words_and_words_with_digits_are_left_alone(word: str) -> None:
    assert english_correction(word) is None


def test_a_dropped_letter_no_longer_turns_a_question_into_another(bot: Chatbot) -> None:
    """A dropped letter: "actualy" became "actuary", and the question about safety was declined."""
    reply = bot.ask("is rhizotomy actualy safe for my lower back")
    assert reply.kind == "answer"
    assert "generally safe" in reply.text and "infection" in reply.text


def test_inflections_meet() -> None:
    assert stem("exercising") == stem("exercises")
    assert stem("nerves") == stem("nerve")


def test_every_sentence_and_list_item_is_evidence() -> None:
    passage = "Patients can go home the same day. Most return to work within a week.\n- Ice packs help\n- Rest"
    assert split_evidence(passage) == [
        "Patients can go home the same day.",
        "Most return to work within a week.",
        "- Ice packs help",
    ]


@pytest.mark.parametrize(
    ("question", "facts"),
    [
        ("what painkillers can i take after the neck procedure", ("over-the-counter",)),
        pytest.param(
            "how many days in hospital after the neck rhizotomy",
            ("a day or two",),
            marks=pytest.mark.xfail(
                strict=True,
                reason="since the model trained on the twelfth and thirteenth batches, the neurotomy "
                "leaflet's benefits list (done 'on an outpatient basis') ranks first",
            ),
        ),
        # No passage says paracetamol: patients' examples do. Two passages state the detail.
        ("can i take paracetamol afterwards", ("over-the-counter", "medications such as analgesics")),
    ],
)
def test_a_detail_inside_a_passage_is_found(bot: Chatbot, question: str, facts: tuple[str, ...]) -> None:
    """A passage that states the detail ranks first (whether it is confident enough to answer is
    the decider's call, measured on the bank)."""
    reply = bot.with_model(bot.model, threshold=0.0).ask(question)
    assert reply.kind == "answer" and any(fact in reply.passage for fact in facts), reply.passage


# -- the question bank ------------------------------------------------------------------------------


def test_the_bank_is_big_enough_and_split_for_good() -> None:
    bank = read_bank(BANK)
    covered = [q for q in bank if q.covered]
    others = [q for q in bank if not q.covered]
    assert len(covered) >= 400 and len(others) >= 150
    assert sum(q.kind == "other-procedure" for q in others) >= 40
    hashed = [q for q in bank if not q.train_only]
    shares = {split: sum(q.split == split for q in hashed) / len(hashed) for split in ("train", "dev", "test")}
    assert 0.5 < shares["train"] < 0.7 and 0.12 < shares["dev"] < 0.28 and 0.12 < shares["test"] < 0.28
    assert split_of("How long does the relief last?") == split_of("how long does the RELIEF last")


def test_questions_written_for_training_only_train(tmp_path: Path) -> None:
    """A question of ``train-only/`` trains whatever its hash, never chooses the threshold, and a
    patient question of the bank with the same text keeps its own split."""
    tested = "how long is the numb feeling"  # its hash puts it in the test split
    assert split_of(tested) == "test"
    (tmp_path / "covered.yaml").write_text(f'- q: "{tested}"\n  quotes: ["a quote"]\n', encoding="utf-8")
    (tmp_path / "train-only").mkdir()
    (tmp_path / "train-only" / "written.yaml").write_text(
        f'- q: "{tested.upper()}"\n  quotes: ["a quote"]\n- q: "{tested}?!"\n  quotes: ["a quote"]\n'
        '- q: "do you have parking"\n  kind: uncovered\n',
        encoding="utf-8",
    )
    bank = read_bank(tmp_path)
    assert [(q.text, q.split, q.train_only, q.measured) for q in bank] == [
        (tested, "test", False, True),
        ("do you have parking", "train", True, False),
    ]
    assert split_of("do you have parking") == "test"


def test_judgements_of_questions_written_for_training_label_them(tmp_path: Path) -> None:
    """``train-only/judgements.yaml`` labels its questions as the bank's own judgements label the
    bank's: a batch measured once, then trained on, keeps the passages judged right for it."""
    (tmp_path / "covered.yaml").write_text('- q: "is it safe"\n  quotes: ["a quote"]\n', encoding="utf-8")
    (tmp_path / "train-only").mkdir()
    (tmp_path / "train-only" / "batch.yaml").write_text(
        '- q: "Is it SAFE?"\n  quotes: ["a quote"]\n- q: "how long is the numb feeling"\n  quotes: ["a quote"]\n',
        encoding="utf-8",
    )
    (tmp_path / "judgements.yaml").write_text("- q: is it safe\n  right: [a/risks]\n", encoding="utf-8")
    (tmp_path / "train-only" / "judgements.yaml").write_text(
        "- q: is it safe\n  right: [b/risks]\n- q: how long is the numb feeling\n  right: [a/recovery]\n",
        encoding="utf-8",
    )
    bank = read_bank(tmp_path)
    assert [(q.text, q.train_only, q.pairs) for q in bank] == [
        ("is it safe", False, frozenset({"a/risks"})),
        ("how long is the numb feeling", True, frozenset({"a/recovery"})),
    ]


def test_a_question_judged_twice_in_one_file_keeps_both_judgements(tmp_path: Path) -> None:
    (tmp_path / "covered.yaml").write_text('- q: "is it safe"\n  quotes: ["a quote"]\n', encoding="utf-8")
    (tmp_path / "judgements.yaml").write_text(
        "- q: is it safe\n  right: [a/risks]\n- q: Is it safe?\n  right: [b/risks]\n", encoding="utf-8"
    )
    assert [q.pairs for q in read_bank(tmp_path)] == [frozenset({"a/risks", "b/risks"})]


def test_the_figures_count_one_split_or_a_whole_new_batch(bot: Chatbot) -> None:
    """``answer_quality.py --split all`` measures a batch no model has seen: every question counts."""
    bank = [
        BankQuestion("How long does the relief last after cervical rhizotomy?", ("from 6 months to 3 years",)),
        BankQuestion("How long does the relief last after cervical rhizotomy?", ("a passage no answer has",)),
        BankQuestion("what is the weather tomorrow", kind="offtopic"),
    ]
    every = evaluate(bot, bank, split=None)
    assert (every.covered, every.right, every.wrong, every.others) == (2, 1, 1, {"offtopic": [1, 1]})
    counted = 0
    for split in ("train", "dev", "test"):
        figures = evaluate(bot, bank, split=split)
        counted += figures.covered + sum(total for total, _ in figures.others.values())
        assert figures.covered == sum(q.covered and q.split == split for q in bank)
    assert counted == len(bank)


def test_every_quote_of_the_bank_is_in_a_document() -> None:
    documents = " ".join(
        normalize(p.read_text(encoding="utf-8")) for p in (BANK.parent.parent / "faq" / "documents").iterdir()
    )
    missing = [
        (q.text, quote)
        # next and unshipped: kept out of training, measured as new questions
        for folder in (BANK, BANK / "next", BANK / "unshipped")
        for q in read_bank(folder)
        for quote in q.quotes
        if normalize(quote) not in documents
    ]
    assert not missing


@pytest.mark.parametrize(
    "folder",
    [BANK, BANK / "train-only", BANK / "next", BANK / "unshipped"],
    ids=["bank", "train-only", "next", "unshipped"],
)
def test_judgements_name_real_pairs(bot: Chatbot, folder: Path) -> None:
    data = yaml.safe_load((folder / "judgements.yaml").read_text(encoding="utf-8"))
    unknown = {pair_id for item in data for pair_id in item["right"] if bot.pair(pair_id) is None}
    assert data and not unknown


@pytest.mark.parametrize("folder", ["next", "unshipped"])
def test_the_batches_kept_out_of_training_share_no_question_with_the_bank(folder: str) -> None:
    """A question of ``next/`` or ``unshipped/`` that the bank also had would be trained on and
    then measured as new."""
    bank = {normalize(q.text) for q in read_bank(BANK)}
    assert not [q.text for q in read_bank(BANK / folder) if normalize(q.text) in bank]


def _with_threshold(faq: Path, line: str) -> Path:
    """``faq`` with ``line`` added to its clinic.yaml (line 2, after the comment line)."""
    clinic = faq / "clinic.yaml"
    first, rest = clinic.read_text().split("\n", 1)
    clinic.write_text(f"{first}\n{line}\n{rest}")
    return faq


@pytest.mark.parametrize(
    "question",
    [
        "what tests are needed before cervical neurotomy",  # answered at the threshold, not far above it
        "will i need less pain medication after neurotomy",
    ],
)
def test_a_clinic_chooses_how_sure_the_bot_must_be(bot: Chatbot, faq_copy: Path, question: str) -> None:
    """``answer_threshold`` in clinic.yaml: answered just below the reply's confidence, declined
    (with the likely questions to tap) just above it; ``Chatbot.load(threshold=…)`` still wins."""
    learned = bot.ask(question)
    assert learned.kind == "answer" and bot.threshold < learned.confidence < 0.98
    below = Chatbot.load(_with_threshold(faq_copy, f"answer_threshold: {learned.confidence - 0.005:.4f}"))
    assert below.threshold == pytest.approx(learned.confidence - 0.005)
    assert below.ask(question).kind == "answer"
    clinic = faq_copy / "clinic.yaml"
    clinic.write_text(
        clinic.read_text().replace(f"{learned.confidence - 0.005:.4f}", f"{learned.confidence + 0.005:.4f}")
    )
    above = Chatbot.load(faq_copy)
    declined = above.ask(question)
    assert declined.kind == "fallback" and declined.suggestions
    assert Chatbot.load(faq_copy, threshold=bot.threshold).ask(question).kind == "answer"


def test_the_clinics_own_phrasings_are_answered_at_the_highest_threshold(bot: Chatbot, faq_copy: Path) -> None:
    strict = Chatbot.load(_with_threshold(faq_copy, "answer_threshold: 0.99"))
    asked = [pair.question for pair in strict.pairs]
    for pair in strict.pairs:
        if asked.count(pair.question) == 1:  # two passages may share a generated question
            reply = strict.ask(pair.question)
            assert (reply.kind, reply.pair_id) == ("answer", pair.id), pair.question


@pytest.mark.parametrize("value", ["0.49", "0.995", "1", "0", "-0.9", "high", "true", "'0.9'", "[0.9]"])
def test_an_answer_threshold_out_of_range_stops_start_up_naming_the_line(faq_copy: Path, value: str) -> None:
    _with_threshold(faq_copy, f"answer_threshold: {value}")
    with pytest.raises(
        KnowledgeBaseError, match=r"clinic.yaml:2: 'answer_threshold' must be a number from 0.5 to 0.99"
    ):
        Chatbot.load(faq_copy)
