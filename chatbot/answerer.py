"""The answering policy, in one place: a question → which passage answers it, how sure, and why.

Retrieval (:mod:`chatbot.index`) finds candidate pairs with TF-IDF and rapidfuzz. This module
describes each (question, candidate) by document-agnostic features — the similarities, how much
of the question's *telling* words the candidate contains (weighted by how rare each word is in
general English), whether patients asking the candidate's passage use the telling words the
documents never do ("paracetamol" for over-the-counter pain medication), how close in meaning
the question is to the candidate's phrasings, sentences and labelled patient questions (static
word embeddings, :mod:`chatbot.embedding`: "days off work" is near "return to work" with no word
shared but "work"), how likely it asks about the candidate's topic (a topic model learned from
patients' wording), whether it names the candidate's procedure, whether the part of the body it
speaks of is one the candidate's procedure's passages speak of (:mod:`chatbot.regions`), and how
far the candidate is ahead of the runner-up — and the answer model (:mod:`chatbot.model`) turns
them into the probability that the candidate answers the question. The bot answers only at or
above a threshold learned on held-out patient questions (at most 5% wrong answers and 5% of
uncovered questions answered), so ``confidence`` means what it says. Training may also learn a
cut above which a very telling word the documents never use declines the question whatever the
probability (the shipped model has none: see :data:`chatbot.train.UNKNOWN_CUTS`).

Patients rarely name the procedure. A question that fits several procedures is answered from the
most probable passage, naming its procedure, with the same question about the others offered as
options; it is sent back as "which one do you mean?" only when two procedures tie
(``clarify_margin``).

Nothing here imports the build: the model arrives as numbers read from ``chatbot/model.json``.
"""

from __future__ import annotations

import itertools
import re
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Literal, TypeVar

import numpy as np

from .classifier import QuestionClassifier
from .embedding import Embedder
from .examples import Example, Examples, highest_of
from .index import Index, Match, Phrasings, Query, split_evidence, split_ways
from .lexicon import informativeness
from .model import FEATURES, NOT_COVERED, AnswerModel
from .normalize import normalize, stem, stemmed_ngrams
from .pairs import Pair
from .regions import regions_named
from .synonyms import Synonyms
from .topics import GROUPS, QUESTION_CUES, asked_groups, asks_for_number, has_figure, topic_named

__all__ = [
    "Answerer",
    "Candidate",
    "Decision",
    "ProcedureNames",
    "example_index",
    "meaning_texts",
    "question_part",
    "topic_code",
]

Action = Literal["answer", "clarify", "decline"]
T = TypeVar("T")

CANDIDATES = 12
"""How many retrieval candidates the model scores for one question."""

CLASSIFIED = 2
"""How many of the examples' classifier's most probable pairs are candidates too, whatever the
search scores them: a patient's words the documents do not use ("toast the morning of it" for
fasting) leave the right passage out of the search's best twelve for 7 % of new writers'
covered questions, and the classifier's best two hold it for nearly all of them."""

COMMON_SHARE = 0.2
"""A word in more than this share of the pairs (the procedure's name, "pain", "nerve") says little
about *what* is asked; a question's intent is its other words, question words included."""

EXACT = 0.999
"""The probability given to a pair asked with one of its own phrasings word for word; such a
question is never declined by the unknown-word cut either (nothing the clinic writes is overruled)."""

OFFER_FLOOR = 0.2
"""Least probability for a candidate of a declined question to be offered as a question to tap.

Declining keeps a wrong passage from being shown; offering the questions of the most probable
candidates still puts the right passage one tap away when it was among them. Chosen on the
third and generic batches' train and dev questions (``covered-*-5/6.yaml`` and
``uncovered-5/6.yaml``, before the model was trained on them; never the test split): of
154 declined covered questions the top three candidates held a right passage for 124 at any
probability, 120 at 0.1 or more, 112 at 0.2 and 106 at 0.3, where the old floor (half the answer
threshold) offered one for 66; of the 126 others (uncovered, off-topic, other procedures), 62,
40 and 31 had a candidate at those floors. Offers are labelled as related questions the
documents answer, never as the answer."""

UNSURE = 0.5
"""Least probability of the best candidate for a declined question to be declined as *unsure*
rather than as not covered: more likely than not, a passage answers it, only not surely enough
to show (a clinic's higher ``answer_threshold`` declines more such questions). The reply then
says no passage surely answers it instead of that the documents do not cover it."""

NAMING = 0.5
"""Least informativeness (in general English) of a word that identifies a procedure on its own
("dorsal", "percutaneous", "genicular"; not "nerve", "block", "knee")."""

TELLING = 0.6
"""Informativeness above which a word names something specific ("stimulator", "pregnant", not
"ready"): how far a missing or unknown word goes beyond it is a feature of its own."""

Classified = tuple[np.ndarray, float]
"""The examples' classifier's probability of each pair (by position), and that no passage answers."""

_Word = tuple[str, float, tuple[frozenset[str], ...]]
"""A question's word, how telling it is, and the ways it can be found (its stem, or the clinical
words of a lay phrase it is part of)."""

_GENERIC_PROCEDURE_WORDS = frozenset({"procedure", "surgery", "treatment", "the", "a", "an", "of", "for"})
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


@dataclass(frozen=True)
class Candidate:
    """One pair considered for a question, with the model's probability that it answers it.

    Candidates come ordered by the model's ranking; ``probability`` is the decider's, calibrated.
    """

    match: Match
    probability: float
    features: tuple[float, ...]

    @property
    def pair(self) -> Pair:
        return self.match.pair


@dataclass(frozen=True)
class Decision:
    """What to do with a question and why.

    ``best`` is the most probable candidate (also when declining, for staff's test pane);
    ``alternatives`` the best candidate of each other procedure that answers the same thing,
    offered as "the same question about …" options or, for ``clarify``, as the choices.
    """

    action: Action
    best: Candidate | None
    candidates: tuple[Candidate, ...]
    alternatives: tuple[Candidate, ...]
    reason: str
    query: Query | None = None
    unsure: bool = False
    """Declined only because the best candidate, more likely right than not (:data:`UNSURE`), is
    below the answer threshold: the documents may well cover the question."""

    @property
    def confidence(self) -> float:
        return self.best.probability if self.best else 0.0


class ProcedureNames:
    """Finds the procedures a question names, by full name or by a word that tells one apart.

    A word shared by most procedure names ("rhizotomy") does not identify one, so it is not a
    telling word; nor does a word of everyday English ("nerve" or "block" of "genicular nerve
    block": "what is a diagnostic nerve block?" is not about the knee). Questions arrive
    synonym-expanded, so "neck" finds "cervical". Word → name maps keep the look-up proportional
    to the question, not to the number of procedures.
    """

    def __init__(self, pairs: Sequence[Pair], synonyms: Synonyms) -> None:
        names = sorted({p.procedure for p in pairs if p.procedure})
        words = {name: set(synonyms.expand(normalize(name)).split()) - _GENERIC_PROCEDURE_WORDS for name in names}
        counts: dict[str, int] = {}
        for name_words in words.values():
            for word in name_words:
                counts[word] = counts.get(word, 0) + 1
        limit = max(1, len(names) * 2 // 3)
        self.names = tuple(names)
        self.phrases = {name: f" {normalize(name)} " for name in names}
        self.by_word: dict[str, list[str]] = {}
        self.by_telling_word: dict[str, list[str]] = {}
        for name in names:
            for word in normalize(name).split():
                self.by_word.setdefault(word, []).append(name)
            for word in words[name]:
                if counts[word] <= limit and informativeness(word) >= NAMING:
                    self.by_telling_word.setdefault(word, []).append(name)
        self.naming = frozenset(self.by_word) | frozenset(self.by_telling_word) | _GENERIC_PROCEDURE_WORDS
        """Every word that names a procedure, whole or in part, or says "procedure"."""
        self.by_phrase: dict[str, list[str]] = {}
        for name, phrase in self.phrases.items():
            if phrase.strip():
                self.by_phrase.setdefault(phrase[1:-1], []).append(name)
        self.lengths = sorted({len(phrase.split(" ")) for phrase in self.by_phrase})
        """How many words the names have: a question's runs of that many words are looked up whole."""

    def _present(self, padded: str) -> set[str]:
        """The procedures whose full names ``padded`` (a text with a space at each end) holds, each
        between spaces: its runs of words looked up in a map of names, so the cost grows with the
        text, not with the number of procedures (a thousand may share the word "knee")."""
        words = padded.split(" ")
        found: set[str] = set()
        for length in self.lengths:
            for start in range(1, len(words) - length):
                names = self.by_phrase.get(" ".join(words[start : start + length]))
                if names:
                    found.update(names)
        return found

    def named_in(self, expanded: str) -> tuple[str, ...]:
        """The procedures an (expanded) question names: full names first, else telling words."""
        full = sorted(self._present(f" {expanded} "))
        if full:
            longest = max(len(name) for name in full)
            return tuple(name for name in full if len(name) == longest)
        telling = self.by_telling_word
        return tuple(sorted(set().union(*(telling[word] for word in set(expanded.split()) if word in telling))))

    def removed_from(self, text: str) -> str:
        """``text`` without the full names of procedures, longest first (equally long ones in
        alphabetical order); a name that only appears once a longer one is gone is also taken out.

        Each step takes out the longest name still present that comes after the last one taken
        out: what trying every name that shares a word with the text, longest first, would leave.
        """
        padded = f" {text} "
        last: tuple[int, str] | None = None
        while True:
            later = [
                key
                for key in ((-len(self.phrases[name]), name) for name in self._present(padded))
                if last is None or key > last
            ]
            if not later:
                return " ".join(padded.split())
            last = min(later)
            padded = padded.replace(self.phrases[last[1]], " ")

    def resolve(self, name: str, *, expanded: str) -> str | None:
        """The procedure ``name`` refers to ("cervical-rhizotomy"; "SDR", given its lay-word
        ``expanded`` form), or ``None``."""
        text = normalize(name.replace("-", " "))
        if f" {text} " in self.phrases.values():
            return next(n for n, phrase in self.phrases.items() if phrase == f" {text} ")
        named = self.named_in(expanded)
        return named[0] if len(named) == 1 else None


class Answerer:
    """Chooses the passage that answers a question, or declines; see the module docstring.

    Parameters
    ----------
    pairs, index, synonyms:
        The knowledge base and its fitted index.
    model:
        The calibrated model; its ``threshold`` is the answer threshold unless ``threshold`` is given.
    threshold:
        Minimum probability for answering.
    clarify_margin:
        Two procedures whose best candidates are this close in probability are equally likely:
        the patient is asked which one they mean. The default, 0, asks only on an exact tie
        (answer first, with the other procedures as options, is the rule).
    examples:
        Patients' questions labelled with the pairs that answer them (:mod:`chatbot.examples`);
        ``None`` for none.
    """

    def __init__(
        self,
        pairs: Sequence[Pair],
        *,
        index: Index,
        synonyms: Synonyms,
        model: AnswerModel,
        threshold: float | None = None,
        clarify_margin: float = 0.0,
        examples: Examples | None = None,
        embedder: Embedder | None = None,
    ) -> None:
        self.pairs = tuple(pairs)
        self.examples = examples
        self.index = index
        self.synonyms = synonyms
        self.model = model
        self.threshold = model.threshold if threshold is None else threshold
        self.clarify_margin = clarify_margin
        self.procedures = ProcedureNames(self.pairs, synonyms)
        codes: dict[str, int] = {}
        self.procedure_of = np.asarray([codes.setdefault(p.procedure, len(codes)) for p in self.pairs], dtype=np.int64)
        """Each pair's procedure, as a number (:attr:`procedure_codes`)."""
        self.procedure_codes = codes
        """Each procedure's number, in order of first appearance."""
        self.procedures_with: dict[str, set[str]] = {}
        for pair, terms in zip(self.pairs, index.pair_stems_, strict=True):
            for term in terms:
                self.procedures_with.setdefault(term, set()).add(pair.procedure)
        self.has_figure = [has_figure(pair.answer) for pair in self.pairs]
        self.topic_codes = [topic_code(pair) for pair in self.pairs]
        by_document: dict[str, list[Pair]] = {}
        for pair in self.pairs:
            by_document.setdefault(pair.source.document, []).append(pair)
        self.by_document = {doc: tuple(group) for doc, group in by_document.items()}
        self.normalized_questions = {pair.id: normalize(pair.question) for pair in self.pairs}
        """Each pair's question normalised, to tell related questions apart (:meth:`related`)."""
        counts: dict[str, int] = {}
        for stems_of_pair in index.pair_stems_:
            for term in stems_of_pair:
                counts[term] = counts.get(term, 0) + 1
        labelled = examples.examples if examples is not None else ()
        owners, texts = meaning_texts(self.pairs, index, labelled, asked=False)
        sizes = {"phrasing": len(texts["phrasing"]), "sentence": len(texts["sentence"]), "asked": len(labelled)}
        stored = examples.meanings_ if examples is not None and embedder is None else None
        if stored is not None and all(len(stored.vectors.get(name, ())) == size for name, size in sizes.items()):
            # Made by the build from these very texts (examples.npz): no tokenizer, no sums at load.
            self.embedder = Embedder.shared().knowing(stored.words)
            made = {name: stored.vectors[name] for name in sizes}
        else:
            self.embedder = embedder or Embedder.shared()
            texts["asked"] = _asked_texts(labelled)
            made = {name: self.embedder.embed(found) for name, found in texts.items()}
        self.meaning_vectors_ = made
        """The vectors of :func:`meaning_texts`, by name, for a build to store."""
        self.meanings = {
            name: _ByPair.of(list(zip(owners[name], range(len(owners[name])), strict=True)), len(self.pairs), rows_of)
            for name, rows_of in (
                ("phrasing", lambda rows: made["phrasing"][list(rows)]),
                ("sentence", lambda rows: made["sentence"][list(rows)]),
            )
        }
        """The pairs' phrasings' and sentences' vectors, pair by pair."""
        self.common_stems = frozenset(t for t, n in counts.items() if n > COMMON_SHARE * len(self.pairs))
        self.intents = Phrasings.of([self._intent(text) for text in index.phrasings_], index.phrasing_start_)
        regions: dict[str, frozenset[str]] = {}
        for pair in self.pairs:
            regions[pair.procedure] = regions.get(pair.procedure, frozenset()) | regions_named(
                normalize(f"{pair.question} {pair.answer}")
            )
        self.regions_of = regions
        """The parts of the body each procedure's passages speak of (:mod:`chatbot.regions`)."""
        self.known_regions = frozenset().union(*regions.values())
        self.exact: dict[str, str] = {}
        for owner, text in zip(index.owner_.tolist(), index.phrasings_, strict=True):
            self.exact.setdefault(text, self.pairs[owner].id)

    # -- the policy -------------------------------------------------------------------------------

    def decide(
        self,
        text: str,
        *,
        focus: str | None = None,
        named: tuple[str, ...] | None = None,
        query: Query | None = None,
    ) -> Decision:
        """Decide how to answer ``text`` (already cleaned of markup).

        ``focus`` limits the answer to one procedure (the one under discussion, or the portal's).
        ``named``: the procedures the patient named, if the caller already knows them.
        ``query``: ``self.index.query(text)``, if the caller already made it (it is made only once).
        A message with a story before its question ("I've had neck pain for years. How long does
        the relief last?") is decided on its question alone (with the procedures and the parts of
        the body the whole message names) and on the whole message, and the more confident
        decision wins: the story's words can pull in passages that merely share them, but "What's
        the point of that?" needs them.
        """
        if query is None:
            query = self.index.query(text)
        if named is None:
            named = self.procedures.named_in(query.expanded)
        regions = self.regions(query)
        asked = question_part(text)
        classified = self.classified(query)
        decision = self._decide(query, named=named, regions=regions, focus=focus, classified=classified)
        if asked != text:
            question = self.index.query(asked)
            first = self._decide(
                question,
                named=named or self.named(question),
                regions=regions,
                focus=focus,
                message=query,
                classified=classified,
            )
            if first.confidence >= decision.confidence:
                return first
        return decision

    def resolve(self, name: str) -> str | None:
        """The procedure a portal's or clinic's ``procedure`` setting names, or ``None``."""
        return self.procedures.resolve(name, expanded=self.index.query(name.replace("-", " ")).expanded)

    def named(self, text: str | Query) -> tuple[str, ...]:
        """The procedures a question names (after typo correction and lay words)."""
        query = text if isinstance(text, Query) else self.index.query(text)
        return self.procedures.named_in(query.expanded)

    def regions(self, query: Query) -> frozenset[str]:
        """The parts of the body a question speaks of that some procedure's passages speak of too."""
        return regions_named(query.corrected) & self.known_regions

    def _decide(
        self,
        query: Query,
        *,
        named: tuple[str, ...],
        regions: frozenset[str],
        focus: str | None,
        message: Query | None = None,
        classified: Classified | None = None,
    ) -> Decision:
        scope = (focus,) if focus else named
        candidates = self.score(
            query, named=named, regions=regions, within=scope, message=message, classified=classified
        )
        if not candidates:
            return Decision("decline", None, (), (), "nothing in the documents shares a word with the question", query)
        best = candidates[0]
        unknown = best.features[FEATURES.index("max_unknown")]
        if unknown > self.model.unknown_cut and best.probability < EXACT:
            return Decision(
                "decline",
                best,
                candidates,
                (),
                f"the question has a telling word ({unknown:.2f}) the documents never use",
                query,
            )
        if best.probability < self.threshold:
            return Decision(
                "decline",
                best,
                candidates,
                (),
                f"best candidate {best.probability:.2f} is below the threshold {self.threshold:.2f}",
                query,
                unsure=best.probability >= UNSURE,
            )
        alternatives = () if scope else self._alternatives(best, candidates)
        if (
            alternatives
            and best.match.fuzzy < 0.95
            and alternatives[0].probability >= best.probability - self.clarify_margin
        ):
            return Decision(
                "clarify",
                best,
                candidates,
                (best, *alternatives),
                "two procedures answer the question equally well",
                query,
            )
        return Decision("answer", best, candidates, alternatives, "above the threshold", query)

    def _alternatives(self, best: Candidate, candidates: tuple[Candidate, ...]) -> tuple[Candidate, ...]:
        """The best candidate of each other procedure on the same topic, when the question names none.

        They are offers, not answers: choosing one asks that pair's own question, which is then
        answered like any other, so they need no probability of their own.
        """
        chosen: dict[str, Candidate] = {}
        for candidate in candidates:
            procedure = candidate.pair.procedure
            if (
                procedure != best.pair.procedure
                and procedure not in chosen
                and best.pair.topic
                and candidate.pair.topic == best.pair.topic
            ):
                chosen[procedure] = candidate
        return tuple(chosen.values())[:3]

    # -- the model's view of a candidate ----------------------------------------------------------

    def score(
        self,
        query: Query,
        *,
        named: tuple[str, ...] = (),
        regions: frozenset[str] | None = None,
        within: tuple[str, ...] = (),
        message: Query | None = None,
        classified: Classified | None = None,
    ) -> tuple[Candidate, ...]:
        """The retrieval candidates for ``query`` with their probabilities, most probable first
        (the ranker's score breaks ties): the decider's calibrated probability, not the ranker's
        order, says which passage answers (out of fold, as many right answers or more).

        An exact phrasing of a pair (a question or variant from ``pairs.yaml`` or ``curated.yaml``)
        is that pair's, whatever the model says: nothing the clinic writes is overruled.
        """
        if classified is None:
            classified = self.classified(message or query)
        matches = self.matches(query, within=within, classified=classified)
        if not matches:
            return ()
        rows = self.features(query, matches, named=named, regions=regions, message=message, classified=classified)
        topics = np.asarray([self.topic_codes[self.index.position_[m.pair.id]] for m in matches])
        scores, probabilities = self.model.decide(rows, topics)
        exact = self.exact.get(query.text)
        candidates = []
        for match, row, score, probability in zip(
            matches, rows.tolist(), scores.tolist(), probabilities.tolist(), strict=True
        ):
            if exact is not None and match.pair.id == exact:
                score, probability = np.inf, max(probability, EXACT)
            candidates.append((score, Candidate(match, round(probability, 4), tuple(row))))
        candidates.sort(key=lambda c: (c[0] != np.inf, -c[1].probability, -c[0], c[1].pair.id))
        return tuple(candidate for _, candidate in candidates)

    def matches(
        self, query: Query, *, within: tuple[str, ...] = (), classified: Classified | None = None
    ) -> list[Match]:
        """The retrieval candidates for ``query``, from the ``within`` procedures' pairs if given:
        the search's best, and the :data:`CLASSIFIED` pairs the examples' classifier finds most
        probable (``classified``: :meth:`classified` of the whole message) if the search left
        them out."""
        positions = None
        by_pair = classified[0] if classified is not None else None
        if within:
            # One pass over the pairs' procedure numbers, however many procedures are named (a
            # word can name a thousand of them in a large library).
            wanted = np.zeros(len(self.procedure_codes) + 1, dtype=bool)  # the last: a name no pair has
            wanted[np.fromiter(map(self.procedure_codes.get, within, itertools.repeat(-1)), dtype=np.int64)] = True
            mask = wanted[self.procedure_of]
            positions = np.flatnonzero(mask)
            if not len(positions):
                return []
            if by_pair is not None:
                by_pair = np.where(mask, by_pair, 0.0)
        include: list[int] = []
        if by_pair is not None and len(by_pair) > CLASSIFIED > 0:
            best = np.argpartition(-by_pair, CLASSIFIED - 1)[:CLASSIFIED]
            include = sorted((int(i) for i in best if by_pair[i] > 0), key=lambda i: (-by_pair[i], i))
        return self.index.search(query, limit=CANDIDATES, within=positions, include=include)

    def offers(self, candidates: Sequence[Candidate], *, limit: int = 3) -> tuple[str, ...]:
        """The questions of the most probable of a declined question's candidates (at least
        :data:`OFFER_FLOOR`), for the patient to tap: the right passage is often among them."""
        return tuple(dict.fromkeys(c.pair.question for c in candidates[:limit] if c.probability >= OFFER_FLOOR))

    def related(self, pair: Pair, candidates: Sequence[Candidate], *, limit: int = 3) -> tuple[str, ...]:
        """Up to ``limit`` other questions about the same procedure: near candidates first, then neighbours."""
        normalized = self.normalized_questions
        seen = {normalized[pair.id]}
        out: list[str] = []
        same_doc = [p for p in self.by_document[pair.source.document] if p.topic != pair.topic]
        near = [c.pair for c in candidates if c.pair.procedure == pair.procedure and c.pair.topic != pair.topic]
        for other in (*near, *same_doc):
            key = normalized[other.id]
            if key not in seen and other.topic not in {"general", "summary"}:
                seen.add(key)
                out.append(other.question)
            if len(out) == limit:
                break
        return tuple(out)

    def features(
        self,
        query: Query,
        matches: Sequence[Match],
        *,
        named: tuple[str, ...] = (),
        regions: frozenset[str] | None = None,
        message: Query | None = None,
        classified: Classified | None = None,
    ) -> np.ndarray:
        """One row of :data:`chatbot.model.FEATURES` per match (see there for what each means).

        ``named``, ``regions`` and ``message``: the procedures and parts of the body the whole
        message names, and the whole message, when ``query`` is only its question (by default,
        those of ``query``). "I've put on weight since starting gabapentin. Is weight gain a known
        side effect?" asks about a medicine the documents never name, though its question does not.
        ``classified``: :meth:`classified` of the whole message, if the caller already has it.
        """
        words = self._weighted_words(query)
        total = sum(weight for _, weight, _ in words) or 1.0
        known = sum(weight for word, weight, _ in words if word not in query.unknown_words) / total
        unknown = [(word, weight) for word, weight, _ in words if word in query.unknown_words]
        max_unknown = max((weight for _, weight in unknown), default=0.0)
        message_unknown = (
            max_unknown if message is None or message is query else max(self._max_unknown(message), max_unknown)
        )
        asked = self.procedures.removed_from(query.expanded)
        groups = asked_groups(asked)
        group = groups[0] if len(groups) == 1 else None  # the one group it clearly asks about, if one
        figure = asks_for_number(query.text)
        best_score = max(m.score for m in matches)
        scores = sorted((m.score for m in matches), reverse=True)
        runner_up = scores[1] if len(scores) > 1 else 0.0
        topic_text = self._asked(query)
        places = [self.index.position_[m.pair.id] for m in matches]
        positions = np.asarray(places, dtype=np.int64)
        if topic_text == query.expanded:  # nothing names a procedure: the search's own numbers
            topic_columns = [(m.phrasing_sim, m.answer_sim, m.sentence_sim) for m in matches]
        elif topic_text:
            topic_sims = self.index.similarities(topic_text, pairs=positions)
            topic_columns = list(zip(*(sims.tolist() for sims in topic_sims), strict=True))
        else:
            topic_columns = [(0.0, 0.0, 0.0)] * len(matches)
        procedures = [m.pair.procedure for m in matches]
        found, in_procedure, missing, in_sentence = self._evidence(words, places, procedures)
        intents = self._intent_similarities(self._intent(query.corrected), places)
        asks_topic = {topic: _asks_topic(asked, topic) for topic in {m.pair.topic for m in matches}}
        named_set = frozenset(named)
        first = []
        for r, (match, pair_index, topic_sim) in enumerate(zip(matches, places, topic_columns, strict=True)):
            pair = match.pair
            pair_group = GROUPS.get(pair.topic) if pair.topic else None
            in_named = pair.procedure in named_set
            first.append(
                (
                    match.score,
                    match.tfidf,
                    match.phrasing_sim,
                    match.answer_sim,
                    match.sentence_sim,
                    match.fuzzy,
                    match.terms,
                    found[r] / total,
                    in_procedure[r] / total,
                    missing[r],
                    known,
                    max_unknown,
                    float(group is not None and pair_group is not None and pair_group == group),
                    float(group is not None and pair_group is not None and pair_group != group),
                    float(not pair.topic),
                    float(figure and not self.has_figure[pair_index]),
                    float(in_named),
                    float(bool(named) and not in_named),
                    best_score - match.score,
                    (match.score - runner_up) if match.score >= best_score else 0.0,
                    min(len(words), 10) / 10.0,
                    intents[r],
                    float(asks_topic[pair.topic]),
                    *topic_sim,
                )
            )
        rows = np.zeros((len(matches), len(FEATURES)))
        rows[:, : len(_FIRST_FEATURES)] = first
        rows[:, _COLUMN["sentence_found"]] = [value / total for value in in_sentence]
        for name in QUESTION_CUES:
            rows[:, _COLUMN[f"asks_{name}"]] = float(name in groups)
        for r, match in enumerate(matches):
            pair_group = GROUPS.get(match.pair.topic) if match.pair.topic else None
            if pair_group in QUESTION_CUES:
                rows[r, _COLUMN[f"pair_{pair_group}"]] = 1.0
        heard = self.examples.pair_words_ if self.examples is not None else None
        rows[:, _COLUMN["max_unheard"]] = [
            max((weight for word, weight in unknown if heard is None or word not in heard[p]), default=0.0)
            for p in places
        ]
        rows[:, _COLUMN["message_unknown"]] = message_unknown
        for beyond, column in _BEYOND:
            rows[:, beyond] = np.maximum(rows[:, column] - TELLING, 0.0)
        for relative, column in _RELATIVE:
            rows[:, relative] = rows[:, column] - rows[:, column].max()
        self._topic_columns(rows, stemmed_ngrams(topic_text), matches)
        if self.examples is not None:
            votes = self.examples.votes(*self.index.word_vector(query.expanded), positions)
            rows[:, _COLUMN["example_sim"]] = votes.closest
            rows[:, _COLUMN["example_vote"]] = votes.share
            rows[:, _COLUMN["rel_example_sim"]] = votes.closest - votes.closest.max()
            rows[:, _COLUMN["unanswered_sim"]] = votes.unanswered
            rows[:, _COLUMN["unanswered_vote"]] = votes.unanswered_share
            rows[:, _COLUMN["example_over_unanswered"]] = votes.closest - votes.unanswered
            self._classifier_columns(rows, classified or self.classified(message or query), positions)
        self._meaning_columns(rows, query, places)
        self._region_columns(rows, self.regions(query) if regions is None else regions, matches)
        return rows

    def classified(self, message: Query) -> Classified | None:
        """What the examples' classifier (:mod:`chatbot.classifier`) says of the whole message: the
        probability of each pair (by position) and that no passage answers it; ``None`` without a
        classifier (too few examples). Worked out once a message: a story's question part is
        searched with the same."""
        classifier = self.examples.classifier_ if self.examples is not None else None
        return classifier.by_pair(message.text, self.examples.pair_count_) if classifier is not None else None

    def _classifier_columns(self, rows: np.ndarray, classified: Classified | None, positions: np.ndarray) -> None:
        """Fill in each candidate's probability by the classifier, that over the best candidate's,
        and the probability that no passage answers the message; all 0 without a classifier."""
        if classified is None:
            return
        by_pair, none = classified
        column = by_pair[positions]
        rows[:, _COLUMN["classifier"]] = column
        best = column.max()
        rows[:, _COLUMN["rel_classifier"]] = column / best if best > 0 else 0.0
        rows[:, _COLUMN["classifier_none"]] = none

    def _region_columns(self, rows: np.ndarray, regions: frozenset[str], matches: Sequence[Match]) -> None:
        """Fill in the share of the parts of the body the question names that each candidate's
        procedure's passages speak of, and the share they do not: "the back one" is not about a
        neck procedure. Both stay 0 when the question names none, so a question that does not say
        where it hurts is weighed as before."""
        if not regions:
            return
        fit = np.asarray([len(regions & self.regions_of[m.pair.procedure]) / len(regions) for m in matches])
        rows[:, _COLUMN["region_match"]] = fit
        rows[:, _COLUMN["region_mismatch"]] = 1.0 - fit

    def _meaning_columns(self, rows: np.ndarray, query: Query, positions: Sequence[int]) -> None:
        """Fill in how close in meaning (:mod:`chatbot.embedding`) the question is to each candidate's
        closest phrasing, closest sentence and closest labelled patient question, and how far each
        is behind the best candidate's: the words need not be shared ("days off work", "return to work").
        Also how close it is to the closest labelled question no passage answers, and how much
        closer to the candidate's own ("how long does the knee one last" is nearer the first); and
        whether each candidate has labelled questions at all (a clinic's new document has none)."""
        vector = self.embedder.embed([question_part(query.corrected)])[0]
        example, unanswered = np.full(len(positions), -1.0), -1.0
        if self.examples is not None:
            # One product with every labelled question, held once however many pairs label it,
            # gives both each candidate's closest and the closest one no passage answers.
            cosines = self.meaning_vectors_["asked"] @ vector
            labelled = self.examples.labelled_with(positions)
            example = highest_of(cosines, labelled, empty=-1.0)
            rows[:, _COLUMN["example_known"]] = [float(len(rows_of) > 0) for rows_of in labelled]
            if self.examples.unanswered_.any():
                unanswered = float(cosines[self.examples.unanswered_].max())
        for name, column in (
            *((name, meanings.closest(vector, positions)) for name, meanings in self.meanings.items()),
            ("example", example),
        ):
            rows[:, _COLUMN[f"meaning_{name}"]] = column
            rows[:, _COLUMN[f"rel_meaning_{name}"]] = column - column.max()
        rows[:, _COLUMN["meaning_unanswered"]] = unanswered
        rows[:, _COLUMN["meaning_over_unanswered"]] = rows[:, _COLUMN["meaning_example"]] - unanswered

    def _evidence(
        self, words: Sequence[_Word], positions: Sequence[int], procedures: Sequence[str]
    ) -> tuple[list[float], list[float], list[float], list[float]]:
        """For each candidate pair: the weight of the question's words it contains, the same for
        its procedure's passages, the weight of the most telling word it lacks, and the weight
        its best single sentence contains.

        Word by word over the candidates' own stems and sentences (a dozen pairs, a few hundred
        sentences), so the cost grows with the question and its candidates, not with the
        knowledge base; the sums are taken word by word in the question's order.
        """
        stems = [self.index.pair_stems_[p] for p in positions]
        sentences = [self.index.sentence_stems_[p] for p in positions]
        found = [0.0] * len(positions)
        in_procedure = [0.0] * len(positions)
        missing = [0.0] * len(positions)
        in_sentence = [[0.0] * len(pair_sentences) for pair_sentences in sentences]
        # Whether a word is found in a procedure's passages is asked of the candidates' few
        # procedures, not worked out as the set of every procedure that has it (thousands at
        # 10,000 pairs, for "pain").
        with_term = self.procedures_with
        nothing: frozenset[str] = frozenset()
        for _, weight, ways in words:
            named_by = {
                procedure
                for procedure in set(procedures)
                if any(all(procedure in with_term.get(term, nothing) for term in way) for way in ways)
            }
            single, phrases = split_ways(ways)
            for r, (pair_stems, pair_sentences) in enumerate(zip(stems, sentences, strict=True)):
                if not single.isdisjoint(pair_stems) or any(way <= pair_stems for way in phrases):
                    found[r] += weight
                elif weight > missing[r]:
                    missing[r] = weight
                if procedures[r] in named_by:
                    in_procedure[r] += weight
                sums = in_sentence[r]
                for k, sentence in enumerate(pair_sentences):
                    if not single.isdisjoint(sentence) or (phrases and any(way <= sentence for way in phrases)):
                        sums[k] += weight
        return found, in_procedure, missing, [max(sums, default=0.0) for sums in in_sentence]

    def topic_terms(self, query: Query) -> list[str]:
        """What the topic model reads of a question: its stemmed words and word pairs, lay words
        expanded, without the words that only name the procedure or body part."""
        return stemmed_ngrams(self._asked(query))

    def _asked(self, query: Query) -> str:
        """The question without the words naming the procedure (:meth:`_topic_text`), lay words expanded."""
        return self.synonyms.expand(self._topic_text(query))

    def _topic_columns(self, rows: np.ndarray, terms: list[str], matches: Sequence[Match]) -> None:
        """Fill in how likely the question asks about each candidate's topic, by the learned topic model.

        A pair with no topic (a clinic's own) or with a topic the model never saw could be about
        anything asked: it gets the most likely topic's probability, so the topic model never
        holds such a pair back and the other features decide.
        """
        topics = self.model.topics
        if topics is None:
            return
        by_topic = dict(zip(topics.classes, topics.probabilities(terms), strict=True))
        rows[:, _COLUMN["not_covered_prob"]] = by_topic.pop(NOT_COVERED, 0.0)
        best = max(by_topic.values())
        by_group: dict[str, float] = {}
        for topic, probability in by_topic.items():
            by_group[GROUPS.get(topic, topic)] = by_group.get(GROUPS.get(topic, topic), 0.0) + probability
        best_group = max(by_group.values())
        for name, found, fallback in (("topic_prob", by_topic, best), ("group_prob", by_group, best_group)):
            column = _COLUMN[name]
            for r, match in enumerate(matches):
                topic = match.pair.topic
                key = topic if name == "topic_prob" else GROUPS.get(topic, topic)
                rows[r, column] = found.get(key, fallback) if topic else fallback
            rows[:, _COLUMN[f"rel_{name}"]] = rows[:, column] - rows[:, column].max()

    def _topic_text(self, query: Query) -> str:
        """The question without the words that only say which procedure or body part it is about.

        "does sdr actually work" → "does actually work": what is asked, so that a passage is not
        preferred merely for naming the procedure (every "What is SDR?" passage does).
        """
        naming = self.procedures.naming
        dropped = set()
        for phrase, canonicals in query.lay:
            if any(set(normalize(c).split()) <= naming for c in canonicals):
                dropped.update(phrase.split())
        return " ".join(w for w in query.corrected.split() if w not in naming and w not in dropped)

    def _intent(self, text: str) -> str:
        """``text`` without the words most passages share: the procedure's name, "pain", "nerve"."""
        return " ".join(w for w in text.split() if stem(w) not in self.common_stems)

    def _intent_similarities(self, intent: str, pair_indices: Sequence[int]) -> list[float]:
        """For each pair, rapidfuzz similarity (0–1) of ``intent`` with its closest phrasing's intent."""
        best = self.intents.closest(intent, pair_indices)
        return [similarity for similarity, _ in best]

    def _weighted_words(self, query: Query) -> list[_Word]:
        """The question's content words (other than procedure names), their informativeness, and
        the ways each can be found in a passage: its stem, or the clinical term of a lay phrase."""
        lay = query.lay
        naming = self.procedures.by_word
        out = []
        for word in query.content_words:
            if word in naming:
                continue
            ways = [frozenset({stem(word)})]
            for phrase, canonicals in lay:
                if word in phrase.split():
                    ways.extend(frozenset(stem(w) for w in c.split()) for c in canonicals)
            weight = max(informativeness(word), 0.05)
            out.append((word, weight, tuple(ways)))
        return out

    def _max_unknown(self, query: Query) -> float:
        """How telling the most telling of ``query``'s words the knowledge base does not know is (0: none)."""
        unknown = query.unknown_words
        return max((weight for word, weight, _ in self._weighted_words(query) if word in unknown), default=0.0)

    def without_procedure(self, question: str) -> str:
        """``question`` with the names of all procedures taken out, to ask it again about another one."""
        return self.procedures.removed_from(normalize(question))

    def topic_words(self, query: Query, procedures: tuple[str, ...]) -> tuple[str, ...]:
        """The question's content words other than those naming ``procedures`` ("what about SDR?" has none)."""
        naming = {w for name in procedures for w in self.synonyms.expand(normalize(name)).split()}
        return tuple(
            w for w in query.content_words if w not in naming and not set(self.synonyms.expand(w).split()[1:]) & naming
        )


_FIRST_FEATURES = FEATURES[: FEATURES.index("asks_risk")]
"""The features computed candidate by candidate; the rest are filled in column by column."""
_COLUMN = {name: column for column, name in enumerate(FEATURES)}
"""Each feature's column (looked up once, not with ``FEATURES.index`` for every question)."""
_RELATIVE = tuple(
    (_COLUMN[f"rel_{name}"], _COLUMN[column])
    for name, column in (
        ("sentence", "sentence_sim"),
        ("answer", "answer_sim"),
        ("found", "found"),
        ("intent", "intent"),
    )
)
"""(relative column, the column it is relative to)."""
_BEYOND = tuple(
    (_COLUMN[beyond], _COLUMN[column])
    for beyond, column in (
        ("unknown_beyond", "max_unknown"),
        ("missing_beyond", "missing"),
        ("unheard_beyond", "max_unheard"),
        ("message_unknown_beyond", "message_unknown"),
    )
)
"""(kink column, the column whose excess over :data:`TELLING` it is)."""


@dataclass(frozen=True)
class _ByPair:
    """Embedded texts grouped by the pair they belong to (its phrasings or its sentences): pair
    ``i``'s vectors are rows ``starts[i]`` to ``starts[i + 1]``, so a question is compared with
    its candidates' texts only, whatever the size of the knowledge base."""

    vectors: np.ndarray
    starts: np.ndarray
    blocks: tuple[np.ndarray, ...] = field(init=False, repr=False, compare=False)
    """Each pair's rows, as views made once (slicing them for every candidate of every question
    costs more than the products with a dozen short blocks)."""

    def __post_init__(self) -> None:
        bounds = self.starts.tolist()
        object.__setattr__(self, "blocks", tuple(self.vectors[a:b] for a, b in itertools.pairwise(bounds)))

    @classmethod
    def of(cls, owned: Sequence[tuple[int, T]], pairs: int, vectors: Callable[[list[T]], np.ndarray]) -> _ByPair:
        """From (pair position, item) couples and how to turn items into vectors (texts to embed, or
        the rows of vectors already made)."""
        ordered = sorted(owned, key=lambda couple: couple[0])
        counts = np.bincount(np.asarray([i for i, _ in ordered], dtype=np.int64), minlength=pairs)
        return cls(vectors([item for _, item in ordered]), np.append(0, np.cumsum(counts)))

    def closest(self, vector: np.ndarray, positions: Sequence[int]) -> np.ndarray:
        """For each pair at ``positions``, the cosine of ``vector`` with its closest text (-1: it has none).

        Block by block: one product with all the candidates' rows at once is cheaper, but BLAS
        may then sum a row's products in another order, and the cosines are float32. The
        blocks' cosines are then laid end to end and each block's highest taken in one call:
        taking them block by block cost more than the products.
        """
        blocks = [self.blocks[p] for p in positions]
        out = np.full(len(blocks), -1.0)
        having = [r for r, block in enumerate(blocks) if len(block)]
        if having:
            sizes = [len(blocks[r]) for r in having]
            cosines = np.concatenate([blocks[r] @ vector for r in having])
            out[having] = np.maximum.reduceat(cosines, np.cumsum([0, *sizes[:-1]]))
        return out


def _asks_topic(question: str, topic: str) -> bool:
    """Whether the question uses the words that mark the pair's topic ("eat" for fasting)."""
    found = topic_named(topic) if topic else None
    return bool(found and found.cues.search(question))


def meaning_texts(
    pairs: Sequence[Pair], index: Index, examples: Sequence[Example], *, asked: bool = True
) -> tuple[dict[str, list[int]], dict[str, list[str]]]:
    """What the answerer embeds at load, by name: each phrasing, each sentence of each passage, and
    (unless not ``asked``: normalising them all is most of the work) each labelled question's
    question part ("asked"), normalised; and the positions of the pairs the phrasings and
    sentences belong to. A build embeds the same texts and stores the vectors (``examples.npz``)."""
    sentences = [(i, normalize(text)) for i, pair in enumerate(pairs) for text in split_evidence(pair.answer)]
    owners = {"phrasing": index.owner_.tolist(), "sentence": [i for i, _ in sentences]}
    texts = {"phrasing": list(index.phrasings_), "sentence": [text for _, text in sentences]}
    if asked:
        texts["asked"] = _asked_texts(examples)
    return owners, texts


def _asked_texts(examples: Sequence[Example]) -> list[str]:
    """Each labelled question's question part, normalised: what :func:`meaning_texts` embeds as "asked"."""
    return [normalize(question_part(e.text)) for e in examples]


def example_index(
    examples: Sequence[Example], index: Index, synonyms: Synonyms, *, reuse: QuestionClassifier | None = None
) -> Examples:
    """``examples`` in ``index``'s word TF-IDF space, each read as its question part with lay
    words expanded (:meth:`Answerer.decide` reads a story the same way). Not typo-corrected:
    that would cost a quarter of a second at every start, and the question's own correction and
    the examples' many wordings already meet most misspellings. ``reuse`` is a classifier stored
    before, kept if it was fitted on these examples (see :class:`chatbot.examples.Examples`)."""
    return Examples(
        examples,
        positions=index.position_,
        vectorize=index.word_vectors,
        prepare=lambda text: synonyms.expand(normalize(question_part(text))),
        reuse=reuse,
    )


def topic_code(pair: Pair) -> int:
    """A number per topic group (risks, results, preparation, recovery, about), for telling
    candidates that answer the same kind of question apart from rivals; a pair with no topic (a
    clinic's own) is a group of its own."""
    group = GROUPS.get(pair.topic, pair.topic) if pair.topic else f"pair:{pair.id}"
    return zlib.crc32(group.encode("utf-8"))


def question_part(text: str) -> str:
    """The sentences of a message that ask something, without the story before them.

    "My doctor said I need a cervical rhizotomy. What is it?" → "What is it?"; the procedure it
    names is still read from the whole message.
    """
    sentences = [s.strip() for s in _SENTENCE_END.split(text) if s.strip()]
    asked = [s for s in sentences if s.endswith("?")] or sentences[-1:]
    return " ".join(asked) if asked else text
