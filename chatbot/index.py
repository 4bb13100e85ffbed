"""Find the FAQ pairs that answer a question: TF-IDF candidates, re-ranked with fuzzy matching.

Three signals make the confidence, each covering a weakness of the others:

* **TF-IDF** over word 1–2-grams and character 3–5-grams of every phrasing and answer finds
  candidates by meaning-bearing words; the character n-grams keep misspelt words close.
* **rapidfuzz** compares the question with each candidate's phrasings word by word, so a
  question worded like a known question ranks first even when its words are common.
* **Key terms**: the share of the question's rare words (by IDF) that the candidate pair contains
  anywhere, so the one passage that mentions "outpatient" or "sciatica" beats a passage that
  merely shares the procedure's name.
* **Coverage** asks how much of the question the knowledge base knows at all. "How much does a
  rhizotomy cost?" shares "rhizotomy" with half the pairs, but nothing in the documents speaks of
  cost, so the bot must say so instead of answering something else. Unknown words weigh as much
  as the rarest known word.

Misspelt words are first corrected to the closest word the knowledge base knows (rapidfuzz,
similarity ≥ 85), so "rizotomy", "recovry" and "nek" become "rhizotomy", "recovery" and "neck".
Real English words are never corrected ("dying" is not a typo of "doing"): they stay unknown and
lower the coverage, as they should.

:meth:`Index.fit` learns the TF-IDF vocabularies, weights and vectors with scikit-learn, which is
build-time tooling (seconds to import); the build stores what it learned (:class:`IndexState`,
``index.npz``) and :meth:`Index.restore` takes it back without scikit-learn, to the same numbers.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import math
import re
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, cast

import numpy as np
from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

from .errors import IndexMismatchError, NotFittedError
from .lexicon import english_correction
from .normalize import STOP_WORDS, normalize, stem, stemmed_ngrams
from .pairs import Pair
from .synonyms import Synonyms

if TYPE_CHECKING:
    from scipy.sparse import csr_matrix

__all__ = [
    "STATE_FORMAT",
    "Index",
    "IndexState",
    "Match",
    "NgramColumns",
    "Phrasings",
    "Query",
    "char_wb_ngrams",
    "sparse_dot",
    "split_evidence",
    "split_ways",
    "term_counts",
    "unit_tfidf",
    "vector_length",
]

_EVIDENCE_BREAK = re.compile(r"\n+|(?<=[.!?])\s+(?=[A-Z0-9“\"(])")
_WHITE_SPACES = re.compile(r"\s\s+")

STATE_FORMAT = 1
"""Version of the learned state's layout and of the analyzers that made it; part of its fingerprint.

Raise it whenever the word or character analyzer, the corpus or the weighting changes, so a state
written by older code never meets newer code silently.
"""


@dataclass(frozen=True)
class Query:
    """A question as the index sees it: normalised, typo-corrected and synonym-expanded."""

    text: str
    corrected: str
    expanded: str
    content_words: tuple[str, ...]
    unknown_words: tuple[str, ...]
    coverage: float
    lay: tuple[tuple[str, tuple[str, ...]], ...] = ()
    """The lay phrases found in ``corrected``, each with its clinical terms (see :meth:`Synonyms.matches`)."""


@dataclass(frozen=True)
class Match:
    """One candidate pair and the scores that ranked it (all in [0, 1]); ``found``: the key terms it contains.

    ``phrasing_sim``, ``answer_sim`` and ``sentence_sim`` are the TF-IDF cosines with the pair's
    closest phrasing, its whole passage and its closest single sentence or list item.
    """

    pair: Pair
    score: float
    tfidf: float
    fuzzy: float
    terms: float
    coverage: float
    phrasing: str
    found: frozenset[str] = frozenset()
    phrasing_sim: float = 0.0
    answer_sim: float = 0.0
    sentence_sim: float = 0.0


class Index:
    """Searchable index of FAQ pairs.

    Parameters
    ----------
    synonyms:
        Lay-term table applied to both the indexed texts and the questions; ``None`` for none.
    char_weight:
        Share of the character n-gram similarity in the TF-IDF score (the rest is word n-grams).
    fuzzy_weight:
        Share of the rapidfuzz phrasing similarity in the final score.
    terms_weight:
        Share of the key-term match in the final score (TF-IDF has the rest).
    candidates:
        How many TF-IDF candidates rapidfuzz re-ranks.
    answer_weight:
        Share of the answer-text similarity in the TF-IDF score (the rest is the best phrasing).
    typo_cutoff:
        Minimum rapidfuzz ratio (0–100) for correcting an unknown word to a known one; words of
        five letters or more are also corrected at one edit (two from eight letters), which
        catches swapped letters ("releif"). ``None`` switches correction off.
    real_words:
        Correctly spelt words that are never corrected although the index does not know them
        (see :mod:`chatbot.lexicon`); ``None`` treats every unknown word as a possible typo.
    """

    def __init__(
        self,
        *,
        synonyms: Synonyms | None = None,
        char_weight: float = 0.4,
        fuzzy_weight: float = 0.3,
        terms_weight: float = 0.4,
        answer_weight: float = 0.5,
        candidates: int = 20,
        typo_cutoff: float | None = 85.0,
        real_words: Collection[str] | None = None,
    ) -> None:
        self.synonyms = synonyms
        self.char_weight = char_weight
        self.fuzzy_weight = fuzzy_weight
        self.terms_weight = terms_weight
        self.answer_weight = answer_weight
        self.candidates = candidates
        self.typo_cutoff = typo_cutoff
        self.real_words = real_words

    def fit(self, pairs: Sequence[Pair]) -> Index:
        """Learn the vocabulary and vectors of ``pairs`` with scikit-learn; returns ``self``.

        scikit-learn is imported here, not at module level: it takes seconds to import and is
        needed only to learn the state, which the build stores (``index.npz``) and
        :meth:`restore` reads back without it.
        """
        from sklearn.feature_extraction.text import TfidfVectorizer

        texts = self._texts(pairs)
        word_vectorizer = TfidfVectorizer(analyzer=stemmed_ngrams, sublinear_tf=True, lowercase=False)
        char_vectorizer = TfidfVectorizer(analyzer=char_wb_ngrams, sublinear_tf=True, lowercase=False, max_df=0.5)
        words = word_vectorizer.fit_transform(texts.corpus)
        chars = char_vectorizer.fit_transform(texts.corpus)
        columns = self._combine(words, chars).tocsc()
        state = IndexState(
            fingerprint=texts.fingerprint,
            word_terms=np.asarray(word_vectorizer.get_feature_names_out(), dtype=str),
            word_idf=word_vectorizer.idf_,
            char_terms=np.asarray(char_vectorizer.get_feature_names_out(), dtype=str),
            char_idf=char_vectorizer.idf_,
            indptr=columns.indptr,
            indices=columns.indices,
            data=columns.data,
        )
        self._adopt(pairs, texts, state)
        return self

    def restore(self, pairs: Sequence[Pair], state: IndexState) -> Index:
        """Take the state an earlier :meth:`fit` learned on the same texts; returns ``self``.

        Gives the same vectors, vocabulary and weights as fitting again, without importing
        scikit-learn. Raises :class:`IndexMismatchError` when ``state`` was learned from other
        texts (other pairs or synonyms, or other index settings), leaving the index untouched.
        """
        texts = self._texts(pairs)
        if state.fingerprint != texts.fingerprint:
            raise IndexMismatchError(
                "the stored index was learned from other pairs, synonyms or index settings than these"
            )
        self._adopt(pairs, texts, state)
        return self

    def _texts(self, pairs: Sequence[Pair]) -> _Texts:
        """The normalised, synonym-expanded texts of ``pairs`` that the index is learned from."""
        if not pairs:
            raise ValueError("cannot build an index of zero pairs")
        synonyms = self.synonyms or Synonyms()
        phrasings: list[str] = []
        owners: list[int] = []
        for i, pair in enumerate(pairs):
            for phrasing in pair.phrasings:
                phrasings.append(normalize(phrasing))
                owners.append(i)
        answers = [normalize(f"{p.answer} {p.source.section}") for p in pairs]
        sentences: list[str] = []
        sentence_owners: list[int] = []
        for i, pair in enumerate(pairs):
            for sentence in split_evidence(pair.answer):
                sentences.append(normalize(sentence))
                sentence_owners.append(i)
        expanded = _Texts(
            phrasings=tuple(phrasings),
            owners=tuple(owners),
            answers=tuple(answers),
            sentence_owners=tuple(sentence_owners),
            expanded_phrasings=tuple(synonyms.expand(t) for t in phrasings),
            expanded_answers=tuple(synonyms.expand(t) for t in answers),
            expanded_sentences=tuple(synonyms.expand(t) for t in sentences),
            fingerprint="",
        )
        settings = {"format": STATE_FORMAT, "char_weight": self.char_weight, "texts": expanded.corpus}
        fingerprint = hashlib.sha256(json.dumps(settings, ensure_ascii=False).encode("utf-8")).hexdigest()
        return dataclasses.replace(expanded, fingerprint=fingerprint)

    def _adopt(self, pairs: Sequence[Pair], texts: _Texts, state: IndexState) -> None:
        """Set every learned attribute from the pairs, their texts and the learned vector state."""
        synonyms = self.synonyms or Synonyms()
        self.pairs_ = tuple(pairs)
        self.position_ = {pair.id: i for i, pair in enumerate(self.pairs_)}
        self.phrasings_ = texts.phrasings
        self.owner_ = np.asarray(texts.owners, dtype=np.int64)
        self.sentence_owner_ = np.asarray(texts.sentence_owners, dtype=np.int64)
        self.rows_ = (len(texts.phrasings), len(texts.phrasings) + len(texts.answers))
        word_vocabulary = dict(zip(state.word_terms.tolist(), range(len(state.word_terms)), strict=True))
        char_vocabulary = dict(zip(state.char_terms.tolist(), range(len(state.char_terms)), strict=True))
        self.words_ = frozenset(word for text in texts.corpus for word in text.split())
        """Every word of the indexed texts, expanded: most of those a question uses."""
        self.spaces_ = (
            _Space(_WordCounts(word_vocabulary).counts, state.word_idf, 0, 1.0 - self.char_weight),
            _Space(
                NgramColumns(char_vocabulary, self.words_).counts,
                state.char_idf,
                len(word_vocabulary),
                self.char_weight,
            ),
        )
        self.postings_ = _Postings(len(texts.corpus), state.indptr, state.indices, state.data)
        self.state_ = state
        self.phrasing_start_ = np.concatenate(([0], np.cumsum(np.bincount(self.owner_, minlength=len(self.pairs_)))))
        self.sentence_start_ = np.concatenate(
            ([0], np.cumsum(np.bincount(self.sentence_owner_, minlength=len(self.pairs_))))
        )
        self.closest_ = Phrasings.of(self.phrasings_, self.phrasing_start_)
        pair_stems: list[set[str]] = [set() for _ in self.pairs_]
        for owner, text in zip(texts.owners, texts.expanded_phrasings, strict=True):
            pair_stems[owner].update(stem(w) for w in text.split())
        for i, text in enumerate(texts.expanded_answers):
            pair_stems[i].update(stem(w) for w in text.split())
        self.pair_stems_ = tuple(frozenset(s) for s in pair_stems)
        sentence_stems: list[list[frozenset[str]]] = [[] for _ in self.pairs_]
        for owner, text in zip(texts.sentence_owners, texts.expanded_sentences, strict=True):
            sentence_stems[owner].append(frozenset(stem(w) for w in text.split()))
        self.sentence_stems_ = tuple(tuple(found) for found in sentence_stems)
        frequency: dict[str, int] = {}
        for text in (*texts.phrasings, *texts.answers):
            for word in text.split():
                frequency[word] = frequency.get(word, 0) + 1
        for word in synonyms.terms_leading_to(frequency):
            frequency.setdefault(word, 1)
        self.vocabulary_ = frozenset(frequency)
        self.stems_ = frozenset(stem(w) for w in frequency)
        self.correctable_ = sorted(
            (w for w in frequency if len(w) >= 3 and not w.isdigit()), key=lambda w: (-frequency[w], w)
        )
        idf = zip(state.word_terms.tolist(), state.word_idf.tolist(), strict=True)
        self.idf_ = {w: v for w, v in idf if " " not in w}
        self.max_idf_ = max(self.idf_.values())

    def _check_fitted(self) -> None:
        if not hasattr(self, "pairs_"):
            raise NotFittedError("this Index is not fitted yet: call fit(pairs) before search()")

    def _combine(self, words: csr_matrix, chars: csr_matrix) -> csr_matrix:
        """Word and character vectors side by side, weighted, each row scaled to unit length."""
        from scipy.sparse import csr_matrix, hstack
        from sklearn.preprocessing import normalize as l2_normalize

        weighted = hstack([words * (1.0 - self.char_weight), chars * self.char_weight]).tocsr()
        return csr_matrix(l2_normalize(weighted))

    def query(self, question: str) -> Query:
        """Normalise, correct and expand ``question``, and measure how much of it the index knows."""
        self._check_fitted()
        text = normalize(question)
        corrected_words = [self._correct(w) for w in text.split()]
        corrected = " ".join(corrected_words)
        synonyms = self.synonyms or Synonyms()
        lay = tuple(synonyms.matches(corrected))
        expanded = synonyms.expand(corrected, found=lay)
        content = tuple(
            w for w in dict.fromkeys(corrected_words) if w not in STOP_WORDS and not w.isdigit() and len(w) > 1
        )
        in_phrases = {w for phrase, _ in lay for w in phrase.split()}
        unknown = tuple(
            w for w in content if w not in self.vocabulary_ and stem(w) not in self.stems_ and w not in in_phrases
        )
        weights = [(self.idf_.get(stem(w), self.max_idf_), w not in unknown) for w in content]
        total = sum(w for w, _ in weights)
        coverage = sum(w for w, known in weights if known) / total if total else 0.0
        return Query(text, corrected, expanded, content, unknown, coverage, lay)

    def _correct(self, word: str) -> str:
        """The known word ``word`` was probably meant to be, or ``word`` itself."""
        if self.typo_cutoff is None or len(word) < 3 or word.isdigit() or word in STOP_WORDS:
            return word
        if word in self.vocabulary_ or stem(word) in self.stems_:
            return word
        if self.real_words is not None and word in self.real_words:
            return word
        found = process.extractOne(word, self.correctable_, scorer=fuzz.ratio, score_cutoff=self.typo_cutoff)
        if found:
            return found[0]
        edits = 2 if len(word) >= 8 else 1 if len(word) >= 5 else 0
        if edits:
            found = process.extractOne(word, self.correctable_, scorer=OSA.distance, score_cutoff=edits)
            if found:
                return found[0]
        if self.real_words is not None:
            return english_correction(word) or word
        return word

    def search(
        self,
        question: str | Query,
        *,
        limit: int = 5,
        score_cutoff: float | None = None,
        within: np.ndarray | None = None,
        include: Collection[int] = (),
    ) -> list[Match]:
        """The best pairs for ``question``, best first, at most one match per pair.

        ``score_cutoff`` drops matches scoring below it (``None``: keep all ``limit`` best);
        ``within`` limits the search to those pair positions (``None``: all pairs). ``include``:
        pair positions (inside ``within``) matched whatever their scores, after the ``limit``
        best if they are not among them: candidates another signal found.
        """
        query = question if isinstance(question, Query) else self.query(question)
        if not query.expanded.strip():
            return []
        if within is not None and self.postings_.prefers_rows(self._row_count(within)):
            # A few procedures' pairs of a large index: only their rows are compared; the others
            # are ranked out below whatever their similarity.
            best_phrasing, answer_sims, best_sentence = (np.zeros(len(self.pairs_)) for _ in range(3))
            found = self.similarities(query.expanded, pairs=within)
            for full, part in zip((best_phrasing, answer_sims, best_sentence), found, strict=True):
                full[within] = part
        else:
            best_phrasing, answer_sims, best_sentence = self.similarities(query.expanded)
        tfidf = (1.0 - self.answer_weight) * best_phrasing + self.answer_weight * answer_sims
        ranking = tfidf + self.answer_weight * best_sentence
        if within is not None:
            allowed = np.full(len(self.pairs_), -1.0)
            allowed[within] = ranking[within]
            ranking = allowed
        top = min(self.candidates, len(self.pairs_))
        candidates = np.argpartition(-ranking, top - 1)[:top]
        candidates = candidates[
            (ranking[candidates] > 0) | ((ranking[candidates] >= 0) & (within is not None))
        ].tolist()
        candidates += [i for i in include if i not in candidates]
        key_terms = [(weight, ways, *split_ways(ways)) for weight, ways in self._key_terms(query)]
        total = sum(weight for weight, *_ in key_terms)
        coverage = _coverage_factor(query.coverage)
        scored = []
        for i, (fuzzy, phrasing), similarity in zip(
            candidates, self._fuzzy(query.corrected, candidates), tfidf[candidates].tolist(), strict=True
        ):
            found = self.pair_stems_[i]
            hits = [
                (w, ways[0])
                for w, ways, singles, phrases in key_terms
                if not singles.isdisjoint(found) or any(way <= found for way in phrases)
            ]
            terms = sum(w for w, _ in hits) / total if total else 0.0
            blended = (
                (1.0 - self.fuzzy_weight - self.terms_weight) * similarity
                + self.fuzzy_weight * fuzzy
                + self.terms_weight * terms
            )
            score = round(min(blended * coverage, 1.0), 4)
            if score_cutoff is None or score >= score_cutoff or i in include:
                scored.append((-score, self.pairs_[i].id, i, similarity, fuzzy, terms, phrasing, hits))
        scored.sort(key=lambda found: found[:2])
        scored = scored[:limit] + [found for found in scored[limit:] if found[2] in include]
        return [
            Match(
                self.pairs_[i],
                -negative,
                similarity,
                fuzzy,
                terms,
                query.coverage,
                phrasing,
                frozenset(term for _, way in hits for term in way),
                float(best_phrasing[i]),
                float(answer_sims[i]),
                float(best_sentence[i]),
            )
            for negative, _, i, similarity, fuzzy, terms, phrasing, hits in scored
        ]

    def similarities(self, text: str, pairs: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """TF-IDF cosines of (normalised, expanded) ``text`` with every pair (or with the pairs at
        positions ``pairs``, in that order): its closest phrasing, its whole passage, and its
        closest sentence or list item.

        Given ``pairs``, a large index compares the text with those pairs' rows alone
        (:meth:`_Postings.dot_rows`): a question's features touch a million stored entries at
        10,000 pairs, its dozen candidates' rows a few hundred. The numbers are the same.
        """
        features, weights = self.vector(text)
        if pairs is None:
            return self._all_similarities(features, weights)
        if self.postings_.prefers_rows(self._row_count(pairs)):
            return self._pair_similarities(features, weights, pairs)
        best_phrasing, answer_sims, best_sentence = self._all_similarities(features, weights)
        return best_phrasing[pairs], answer_sims[pairs], best_sentence[pairs]

    def _all_similarities(self, features: np.ndarray, weights: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """:meth:`similarities` of a query vector with every pair."""
        sims = self.postings_.dot(features, weights)
        end_phrasings, end_answers = self.rows_
        best_phrasing = np.zeros(len(self.pairs_))
        np.maximum.at(best_phrasing, self.owner_, sims[:end_phrasings])
        best_sentence = np.zeros(len(self.pairs_))
        np.maximum.at(best_sentence, self.sentence_owner_, sims[end_answers:])
        return best_phrasing, sims[end_phrasings:end_answers], best_sentence

    def _row_count(self, pairs: np.ndarray) -> int:
        """How many indexed rows (phrasings, passages, sentences) the pairs at ``pairs`` have."""
        return int(
            (self.phrasing_start_[pairs + 1] - self.phrasing_start_[pairs]).sum()
            + (self.sentence_start_[pairs + 1] - self.sentence_start_[pairs]).sum()
            + len(pairs)
        )

    def _pair_similarities(
        self, features: np.ndarray, weights: np.ndarray, pairs: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """:meth:`similarities` for the pairs at ``pairs`` from their own rows' similarities only."""
        end_phrasings, end_answers = self.rows_
        phrasing_start, sentence_start = self.phrasing_start_, self.sentence_start_
        spans = []  # each pair's phrasing rows, then its passage's, then its sentences'
        for i in pairs.tolist():
            spans.append(range(phrasing_start[i], phrasing_start[i + 1]))
            spans.append(range(end_phrasings + i, end_phrasings + i + 1))
            spans.append(range(end_answers + sentence_start[i], end_answers + sentence_start[i + 1]))
        rows = np.fromiter((row for span in spans for row in span), dtype=np.int64)
        sims = self.postings_.dot_rows(features, weights, rows).tolist()
        best_phrasing, answer, best_sentence = [], [], []
        at = 0
        for phrasings, answer_row, sentences in zip(spans[::3], spans[1::3], spans[2::3], strict=True):
            best_phrasing.append(max(0.0, max(sims[at : at + len(phrasings)], default=0.0)))
            at += len(phrasings)
            answer.append(sims[at])
            at += len(answer_row)
            best_sentence.append(max(0.0, max(sims[at : at + len(sentences)], default=0.0)))
            at += len(sentences)
        return np.asarray(best_phrasing), np.asarray(answer), np.asarray(best_sentence)

    def _key_terms(self, query: Query) -> list[tuple[float, tuple[frozenset[str], ...]]]:
        """The question's known content words, each weighted by IDF, with the ways it can be found.

        A word is found in a pair through its own stem or through the canonical term of a lay
        phrase it belongs to ("put to sleep" is found where the passage says "anesthesia"); a
        multi-word canonical term counts only when all its words are there.
        """
        lay = query.lay
        terms = []
        for word in query.content_words:
            if word in query.unknown_words:
                continue
            term = stem(word)
            ways = [frozenset({term})]
            for phrase, canonicals in lay:
                if word in phrase.split():
                    ways.extend(frozenset(stem(w) for w in c.split()) for c in canonicals)
            terms.append((self.idf_.get(term, self.max_idf_), tuple(ways)))
        return terms

    def vector(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        """The question's TF-IDF vector as (feature indices, weights), as ``fit`` computes the index's.

        Done by hand because scikit-learn's ``transform`` spends most of a millisecond validating
        its input: fine for building the index, too slow for every question.
        """
        return self._vector(text)

    def word_vector(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        """:meth:`vector` in the word space alone (stemmed words and word pairs): a fifth of the
        cost, for comparing questions with questions (:mod:`chatbot.examples`). Computed as the
        examples' are (:meth:`word_vectors`), so a question and its own example meet at 1."""
        return self.word_vectors([text])[0]

    def word_vectors(self, texts: Sequence[str]) -> list[tuple[np.ndarray, np.ndarray]]:
        """:meth:`word_vector` of each of ``texts``, weighted and scaled in one pass: a knowledge
        base's thousand labelled examples cost a few milliseconds of every start, not a tenth of a second."""
        space = self.spaces_[0]
        lengths: list[int] = []
        columns: list[int] = []
        counts: list[int] = []
        for text in texts:
            found = space.counts(text)
            lengths.append(len(found))
            columns.extend(found)
            counts.extend(found.values())
        column = np.asarray(columns, dtype=np.int64)
        values = (1.0 + np.log(np.asarray(counts, dtype=np.float64))) * space.idf[column]
        owner = np.repeat(np.arange(len(lengths)), lengths)
        norms = np.sqrt(np.bincount(owner, weights=values**2, minlength=len(lengths)))
        values = values / np.where(norms > 0, norms, 1.0)[owner]
        ends = np.cumsum(lengths)
        return [
            (column[end - size : end] + space.offset, values[end - size : end])
            for end, size in zip(ends.tolist(), lengths, strict=True)
        ]

    def _vector(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        features: list[np.ndarray] = []
        weights: list[np.ndarray] = []
        for space in self.spaces_:
            counts = space.counts(text)
            if not counts:
                continue
            columns, values = unit_tfidf(counts, space.idf)
            features.append(columns + space.offset)
            weights.append(values * space.weight)
        if not features:
            return np.zeros(0, dtype=np.int64), np.zeros(0)
        vector = np.concatenate(weights)
        return np.concatenate(features), vector / vector_length(vector)

    def _fuzzy(self, text: str, pair_indices: Sequence[int]) -> list[tuple[float, str]]:
        """Best rapidfuzz similarity (0–1) between the question and each pair's phrasings, and that phrasing."""
        best = self.closest_.closest(text, pair_indices)
        return [
            (similarity, self.pairs_[i].phrasings[k]) for i, (similarity, k) in zip(pair_indices, best, strict=True)
        ]


@dataclass(frozen=True)
class IndexState:
    """What fitting an index learns from its texts, as plain arrays: enough to restore it without scikit-learn.

    The build stores it next to ``pairs.yaml`` (:mod:`chatbot.indexfile`), so answering never
    needs scikit-learn, and a restored index has exactly the numbers of a freshly fitted one.

    Attributes
    ----------
    fingerprint:
        SHA-256 of the texts the state was learned from and the settings that shaped them; a state
        is never restored onto other texts.
    word_terms, char_terms:
        The word (stemmed 1–2-gram) and character (3–5-gram) vocabularies, in column order.
    word_idf, char_idf:
        Their inverse document frequencies.
    indptr, indices, data:
        Every indexed text's weighted, unit-length TF-IDF vector, stored by column (compressed
        sparse columns; rows are the phrasings, then the passages, then the sentences).
    """

    fingerprint: str
    word_terms: np.ndarray
    word_idf: np.ndarray
    char_terms: np.ndarray
    char_idf: np.ndarray
    indptr: np.ndarray
    indices: np.ndarray
    data: np.ndarray


@dataclass(frozen=True)
class _Texts:
    """The normalised texts of an index's pairs and the synonym-expanded corpus it is learned from."""

    phrasings: tuple[str, ...]
    owners: tuple[int, ...]
    answers: tuple[str, ...]
    sentence_owners: tuple[int, ...]
    expanded_phrasings: tuple[str, ...]
    expanded_answers: tuple[str, ...]
    expanded_sentences: tuple[str, ...]
    fingerprint: str

    @property
    def corpus(self) -> list[str]:
        """Every indexed text, in row order: phrasings, passages, sentences."""
        return [*self.expanded_phrasings, *self.expanded_answers, *self.expanded_sentences]


@dataclass(frozen=True)
class _Space:
    """One feature space of the index (word or character n-grams) and its share of the vector.

    ``counts`` gives how often each of the space's features occurs in a text, by column (unknown
    ones left out): :class:`_WordCounts` for the stemmed words and word pairs,
    :class:`NgramColumns` (each known word's n-grams looked up once) for the characters."""

    counts: Callable[[str], Counter[int]]
    idf: np.ndarray
    offset: int
    weight: float


@dataclass(frozen=True)
class _WordCounts:
    """The word space's counts: a text's stemmed words and word pairs (:func:`stemmed_ngrams`) by column."""

    vocabulary: dict[str, int]

    def counts(self, text: str) -> Counter[int]:
        return term_counts(self.vocabulary, stemmed_ngrams(text))


class NgramColumns:
    """The character n-grams of a text (:func:`char_wb_ngrams`) as a vocabulary's columns, each
    word of ``words`` worked out once, when this is made.

    Nearly every word a patient types is one of the words the vocabulary was learned from, and
    making and hashing its dozen n-gram strings for every question cost more than the rest of
    turning the question into a vector (a tenth of answering it). ``char_wb_ngrams`` pads and
    cuts each word on its own, so a text's n-grams are its words' n-grams one after another:
    the counts come out with the same columns in the same order, and the vectors made from them
    are the same numbers. A word not in ``words`` is worked out when asked and not kept (a
    patient's words are never stored).

    Parameters
    ----------
    vocabulary:
        n-gram → column.
    words:
        The words to look up once (those of the texts the vocabulary was learned from).
    lengths:
        The n-gram lengths, as :func:`char_wb_ngrams` takes them.
    """

    def __init__(self, vocabulary: Mapping[str, int], words: Iterable[str], *, lengths: range = range(3, 6)) -> None:
        self.vocabulary = vocabulary
        self.lengths = lengths
        self.known_ = {word: self._columns(word) for word in set(words)}

    def _columns(self, word: str) -> tuple[int, ...]:
        found = map(self.vocabulary.get, char_wb_ngrams(word, lengths=self.lengths))
        return tuple(column for column in found if column is not None)

    def counts(self, text: str) -> Counter[int]:
        """How often each column's n-gram occurs in ``text`` (as :func:`term_counts` of its n-grams)."""
        known = self.known_
        columns: list[int] = []
        for word in _WHITE_SPACES.sub(" ", text).split():
            found = known.get(word)
            columns.extend(self._columns(word) if found is None else found)
        return Counter(columns)


LARGE_INDEX = 1_000_000
"""Stored entries above which the postings are multiplied with SciPy's sparse matrices.

A question's features touch entries in proportion to the knowledge base: about 20,000 on the
shipped one, where NumPy's gather (:func:`sparse_dot`) takes a fraction of a millisecond, and
over a million at 10,000 pairs, where SciPy's compiled product is four times faster. Importing
``scipy.sparse`` costs about 0.2 s, which a small knowledge base (and a one-question command line)
should not pay; a knowledge base this large takes seconds to load anyway.
"""


class _Postings:
    """The indexed vectors stored by feature (column), so a question touches only its own features."""

    def __init__(self, rows: int, indptr: np.ndarray, indices: np.ndarray, data: np.ndarray) -> None:
        self.rows = rows
        self.indptr = indptr
        self.indices = indices
        self.data = data
        self.matrix: csr_matrix | None = None
        self.sorted = False
        if len(data) > LARGE_INDEX:
            from scipy.sparse import csr_matrix

            self.matrix = csr_matrix((data, indices, indptr), shape=(len(indptr) - 1, rows))
            self.sorted = bool(self.matrix.has_sorted_indices)
            """Whether each feature's rows are stored in order, as the build stores them (for :meth:`dot_rows`)."""

    def prefers_rows(self, rows: int) -> bool:
        """Whether comparing a query with ``rows`` rows alone (:meth:`dot_rows`) is cheaper than
        with every row (:meth:`dot`): in a large index, for up to a twentieth of its rows."""
        return self.matrix is not None and self.sorted and rows * 20 <= self.rows

    def dot_rows(self, features: np.ndarray, weights: np.ndarray, rows: np.ndarray) -> np.ndarray:
        """:meth:`dot` at ``rows`` only, to the same numbers.

        Each row of the query's features is looked for in that feature's stored rows (sorted: a
        binary search per feature, not a pass over its entries); the products are summed feature
        by feature in the query's order, from zero, as :meth:`dot` sums them, a missing entry
        adding an exact zero.
        """
        if len(features) == 0 or len(rows) == 0:
            return np.zeros(len(rows))
        indices = self.indices
        needles = rows.astype(indices.dtype)  # the same type: searching another copies the run
        starts, ends = self.indptr[features][:, None], self.indptr[features + 1][:, None]
        at = np.empty((len(features), len(rows)), dtype=np.int64)
        for k, (start, end) in enumerate(zip(starts[:, 0].tolist(), ends[:, 0].tolist(), strict=True)):
            at[k] = indices[start:end].searchsorted(needles)
        at += starts
        np.minimum(at, ends - 1, out=at)
        found = (indices[at] == needles) & (at >= starts)
        products = np.where(found, self.data[at] * weights[:, None], 0.0)
        return np.add.accumulate(products, axis=0)[-1]

    def _matrix_dot(self, features: np.ndarray, weights: np.ndarray) -> np.ndarray:
        """:meth:`dot` of a large index: SciPy's compiled product, one feature's stored run at a time.

        ``matrix[features].T @ weights`` gives the same numbers (each row's products summed in
        the query's order, from zero) but first copies every run it touches, a million entries
        at 10,000 pairs: as long as the product itself. ``csc_matvec``, the routine behind that
        product (in SciPy's internal ``_sparsetools``, pinned in ``requirements.txt``; a test checks
        it against the public product), reads a run in place.
        """
        from scipy.sparse._sparsetools import csc_matvec

        assert self.matrix is not None
        indptr, indices, data = self.matrix.indptr, self.matrix.indices, self.matrix.data
        out = np.zeros(self.rows)
        weights = np.ascontiguousarray(weights, dtype=np.float64)
        for k, feature in enumerate(features.tolist()):
            csc_matvec(self.rows, 1, indptr[feature : feature + 2], indices, data, weights[k : k + 1], out)
        return out

    def dot(self, features: np.ndarray, weights: np.ndarray) -> np.ndarray:
        """Cosine similarity of every indexed row with the (already normalised) query vector."""
        if len(features) == 0:
            return np.zeros(self.rows)
        if self.matrix is not None:
            return self._matrix_dot(features, weights)
        starts = self.indptr[features]
        return sparse_dot(starts, self.indptr[features + 1] - starts, self.indices, self.data, weights, self.rows)


def split_ways(ways: Iterable[frozenset[str]]) -> tuple[frozenset[str], list[frozenset[str]]]:
    """The ways a word can be found in a text's stems, split: the stems that are a way alone (any
    one found is enough: one set operation for all of them, not one test a way), and the
    phrases (a lay phrase's clinical term), each found only where all its stems are."""
    ways = tuple(ways)
    return frozenset(term for way in ways if len(way) == 1 for term in way), [way for way in ways if len(way) > 1]


def term_counts(vocabulary: Mapping[str, int], terms: Iterable[str]) -> Counter[int]:
    """How often each of ``terms`` that ``vocabulary`` knows occurs, by its column; unknown ones left out."""
    found: Counter[int | None] = Counter(map(vocabulary.get, terms))
    found.pop(None, None)
    return cast("Counter[int]", found)


def unit_tfidf(counts: Counter[int], idf: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The columns of ``counts`` and their weights, (1 + log count) × IDF scaled to unit length: a
    text's vector in one block as scikit-learn's ``TfidfVectorizer(sublinear_tf=True)`` makes it
    (the index, the examples' classifier and the red-flag net each compute theirs so). ``counts``
    must not be empty."""
    columns = np.fromiter(counts, dtype=np.int64, count=len(counts))
    values = (1.0 + np.log(np.fromiter(counts.values(), dtype=np.float64, count=len(counts)))) * idf[columns]
    return columns, values / vector_length(values)


def vector_length(vector: np.ndarray) -> float:
    """The Euclidean length of a 1-D vector: what ``np.linalg.norm`` computes for one (the square
    root of its dot product with itself), without its checks, which cost more than the sum."""
    return math.sqrt(vector.dot(vector))


def sparse_dot(
    starts: np.ndarray, lengths: np.ndarray, rows: np.ndarray, data: np.ndarray, weights: np.ndarray, size: int
) -> np.ndarray:
    """The dot product of a sparse query with ``size`` stored vectors kept by feature.

    Each query feature's stored entries are the run ``starts[k]`` … ``starts[k] + lengths[k]`` of
    ``rows`` (which vector) and ``data`` (its weight); ``weights`` are the query's. All runs are
    gathered at once, laid end to end, so the cost is the entries touched, not the vectors stored.
    """
    runs = np.repeat(starts - np.cumsum(lengths) + lengths, lengths) + np.arange(lengths.sum())
    values = data[runs] * np.repeat(weights, lengths)
    return np.bincount(rows[runs], weights=values, minlength=size)


def char_wb_ngrams(text: str, *, lengths: range = range(3, 6)) -> list[str]:
    """Character n-grams (3–5 unless ``lengths`` says) inside word boundaries, each word padded
    with a space: the TF-IDF character analyzer.

    The same n-grams as scikit-learn's ``analyzer="char_wb"`` with ``ngram_range=(3, 5)``, or
    the range of ``lengths`` (tests compare them), written out so that answering a question does
    not import scikit-learn. A word shorter than an n-gram counts once, as scikit-learn counts it.
    """
    ngrams: list[str] = []
    for word in _WHITE_SPACES.sub(" ", text).split():
        padded = f" {word} "
        length = len(padded)
        for n in lengths:
            if length <= n:
                ngrams.append(padded)
                break
            ngrams.extend([padded[start : start + n] for start in range(length - n + 1)])
    return ngrams


def _coverage_factor(coverage: float) -> float:
    """Full weight when the knowledge base knows the whole question, falling fast below two thirds.

    A smooth curve rather than a cut-off, so a single unknown filler word ("scared") costs a
    little, while an unknown key word in a short question ("cost", "insurance") sinks it.
    """
    return 1.0 if coverage >= 0.999 else math.pow(max(coverage, 0.0), 1.5)


def split_evidence(answer: str) -> list[str]:
    """The sentences and list items of a passage, each searchable on its own.

    A question about one detail ("can I take paracetamol afterwards?") shares few words with a
    whole passage but many with the one sentence that answers it.
    """
    return [part.strip() for part in _EVIDENCE_BREAK.split(answer) if len(part.split()) >= 3]


@dataclass(frozen=True)
class Phrasings:
    """Texts grouped by pair (pair ``i``'s are ``texts[starts[i]:starts[i + 1]]``), to find each
    candidate pair's closest to a question with rapidfuzz (:meth:`closest`).

    Each text's words are also kept sorted, as ``token_sort_ratio`` sorts them: a plain ``ratio``
    of the sorted texts is the same number, without sorting every candidate's words again for
    every question.
    """

    texts: tuple[str, ...]
    starts: tuple[int, ...]
    sorted_texts: tuple[str, ...]

    @classmethod
    def of(cls, texts: Sequence[str], starts: np.ndarray) -> Phrasings:
        return cls(tuple(texts), tuple(starts.tolist()), tuple(_sorted_words(text) for text in texts))

    def closest(self, text: str, pair_indices: Sequence[int]) -> list[tuple[float, int]]:
        """For each pair, the rapidfuzz similarity (0–1, token-set and token-sort ratios averaged) of
        ``text`` with its closest text, and that text's place among the pair's (the first of equals).

        The candidates' texts are scored in one call per ratio.
        """
        spans = [(self.starts[i], self.starts[i + 1]) for i in pair_indices]
        rows = [row for start, end in spans for row in range(start, end)]
        if not rows:
            return []
        choices = [self.texts[row] for row in rows]
        similarity = 0.5 * process.cdist([text], choices, scorer=fuzz.token_set_ratio, dtype=np.float64)[0]
        similarity += (
            0.5
            * process.cdist(
                [_sorted_words(text)], [self.sorted_texts[row] for row in rows], scorer=fuzz.ratio, dtype=np.float64
            )[0]
        )
        values = similarity.tolist()
        out = []
        at = 0
        for start, end in spans:
            run = values[at : at + end - start]
            best = max(run)
            out.append((best / 100.0, run.index(best)))
            at += end - start
        return out


def _sorted_words(text: str) -> str:
    """``text``'s words in sorted order, as rapidfuzz's ``token_sort_ratio`` compares them."""
    return " ".join(sorted(text.split()))
