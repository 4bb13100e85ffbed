"""The stored index (``index.npz``): the same numbers as fitting, no scikit-learn at answer time, fail closed.

The build fits the TF-IDF index with scikit-learn and stores what it learned; ``Chatbot.load``
restores it. These tests hold the two paths to identical results on real patient questions, check
that answering imports no build-time code, and that a missing, damaged or mismatched file stops the
load with one line naming it.
"""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pytest
import snowballstemmer
from cases import ANSWERS, GENERIC, UNANSWERABLE
from conftest import KB, ROOT
from sklearn.feature_extraction.text import TfidfVectorizer
from wordfreq import top_n_list

from chatbot import Chatbot, KnowledgeBaseError, NotFittedError
from chatbot.build import build, build_index
from chatbot.errors import IndexMismatchError
from chatbot.index import Index, NgramColumns, char_wb_ngrams, term_counts
from chatbot.indexfile import dump_index, read_index
from chatbot.normalize import normalize, stem
from chatbot.pairs import read_pairs
from chatbot.paths import KnowledgeBasePaths
from chatbot.synonyms import Synonyms

QUESTIONS = (
    *(question for question, _ in ANSWERS),
    *GENERIC,
    *UNANSWERABLE,
    "how long wil the releif last after cervical rizotomy",
    "NECK burn the nerve???",
    "can i take paracetamol afterwards",
    "",
    "🙂 ñandú straße ｆｕｌｌ width",
)


@pytest.fixture(scope="module")
def fitted(bot: Chatbot) -> Index:
    """The test knowledge base's index, fitted afresh with scikit-learn."""
    return Index(synonyms=bot.synonyms).fit(bot.pairs)


@pytest.fixture(scope="module")
def restored(bot: Chatbot) -> Index:
    """The same index restored from ``tests/kb/index.npz`` without scikit-learn."""
    return Index(synonyms=bot.synonyms).restore(bot.pairs, read_index(KB / "index.npz"))


def test_the_stored_state_is_the_state_fitting_learns(fitted: Index, restored: Index) -> None:
    for name in ("word_terms", "word_idf", "char_terms", "char_idf", "indptr", "indices", "data"):
        stored, learned = getattr(restored.state_, name), getattr(fitted.state_, name)
        assert stored.dtype == learned.dtype and np.array_equal(stored, learned), name
    assert restored.state_.fingerprint == fitted.state_.fingerprint
    assert restored.idf_ == fitted.idf_ and restored.vocabulary_ == fitted.vocabulary_


@pytest.mark.parametrize("question", QUESTIONS)
def test_a_restored_index_finds_exactly_what_a_fitted_one_finds(fitted: Index, restored: Index, question: str) -> None:
    text = restored.query(question).expanded
    for ours, theirs in zip(restored.similarities(text), fitted.similarities(text), strict=True):
        assert np.array_equal(ours, theirs)
    assert restored.search(question, limit=12) == fitted.search(question, limit=12)


@pytest.fixture(scope="module")
def large(bot: Chatbot) -> Index:
    """The same index restored as a knowledge base over :data:`chatbot.index.LARGE_INDEX` entries is:
    its postings multiplied by SciPy."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("chatbot.index.LARGE_INDEX", 0)
        return Index(synonyms=bot.synonyms).restore(bot.pairs, read_index(KB / "index.npz"))


def test_only_a_large_index_is_multiplied_by_scipy(restored: Index, large: Index) -> None:
    assert restored.postings_.matrix is None
    assert large.postings_.matrix is not None


@pytest.mark.parametrize("question", QUESTIONS)
def test_a_large_index_finds_what_a_small_one_finds(restored: Index, large: Index, question: str) -> None:
    text = restored.query(question).expanded
    for ours, theirs in zip(large.similarities(text), restored.similarities(text), strict=True):
        np.testing.assert_allclose(ours, theirs, rtol=0, atol=1e-12)
    found = [(m.pair.id, m.score) for m in large.search(question, limit=12)]
    assert found == [(m.pair.id, m.score) for m in restored.search(question, limit=12)]


@pytest.mark.parametrize("question", [question for question, _ in ANSWERS])
def test_a_large_index_multiplies_its_runs_in_place_to_scipys_numbers(large: Index, question: str) -> None:
    """The product of a large index reads each feature's run in place with SciPy's internal
    ``csc_matvec``: to the last bit what SciPy's public product gives (a SciPy upgrade that
    changes the routine fails here, not in a clinic's answers)."""
    features, weights = large.vector(large.query(question).expanded)
    matrix = large.postings_.matrix
    assert matrix is not None and len(features) > 1
    public = np.asarray(matrix[features].T @ weights, dtype=np.float64)
    assert np.array_equal(large.postings_.dot(features, weights), public)
    assert not np.array_equal(large.postings_.dot(features[:1], weights[:1]), public)


@pytest.mark.parametrize("question", QUESTIONS[:60])
def test_a_large_index_compares_a_few_pairs_rows_to_the_same_numbers(
    large: Index, question: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A few pairs of a large index are compared with the question by their own rows alone
    (:meth:`_Postings.dot_rows`): the same numbers, to the last bit, and the same search."""
    text = large.query(question).expanded
    features, weights = large.vector(text)
    postings = large.postings_
    everything = postings.dot(features, weights)
    for rows in (np.arange(0, postings.rows, 7), np.asarray([postings.rows - 1, 0, 3]), np.zeros(0, dtype=np.int64)):
        assert np.array_equal(postings.dot_rows(features, weights, rows), everything[rows])
    pairs = np.asarray([5, 2])  # 11 of 418 rows
    assert postings.prefers_rows(large._row_count(pairs))
    for ours, theirs in zip(large.similarities(text, pairs=pairs), large.similarities(text), strict=True):
        assert np.array_equal(ours, theirs[pairs])
    restricted = large.search(question, limit=12, within=pairs)
    monkeypatch.setattr(type(postings), "prefers_rows", lambda self, rows: False)
    assert restricted == large.search(question, limit=12, within=pairs)


def test_the_bot_restores_the_index_it_would_fit(bot: Chatbot) -> None:
    fitting = Chatbot(
        bot.pairs,
        settings=bot.settings,
        synonyms=bot.synonyms,
        safety=bot.safety,
        smalltalk=bot.smalltalk,
        examples=bot.examples,
    )
    for question in QUESTIONS[:40]:
        assert bot.ask(question) == fitting.ask(question), question


@pytest.mark.parametrize(
    "text",
    [
        "how long does the relief last",
        "a an it ox",  # words shorter than an n-gram count once
        "  two\tspaces\n\nand  runs  ",
        "cervical rhizotomy radiofrequency ablation neck",
        "ñandú straße 東京 x",
    ],
)
def test_the_character_analyzer_is_scikit_learns(text: str) -> None:
    theirs = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), lowercase=False).build_analyzer()
    assert char_wb_ngrams(text) == theirs(text)


@pytest.mark.parametrize(
    "text",
    [
        "how long does the relief last",
        "how long does the releif last for my neck neck",  # a misspelt word, a word twice
        "  two\tspaces\n\nand  runs  ",
        "a an it ox",
        "kyphoplasty zzqx ñandú 東京",  # words the documents never use
        "",
    ],
)
@pytest.mark.parametrize("lengths", [range(3, 6), range(2, 6)], ids=["3-5", "2-5"])
def test_known_words_give_the_counts_their_ngrams_give(fitted: Index, text: str, lengths: range) -> None:
    """Each known word's columns looked up once: the same columns, counts and order as the n-grams' own."""
    vocabulary = {term: column for column, term in enumerate(fitted.state_.char_terms.tolist())}
    table = NgramColumns(
        vocabulary, ["how", "long", "does", "the", "relief", "last", "neck", "a", "it"], lengths=lengths
    )
    theirs = term_counts(vocabulary, char_wb_ngrams(text, lengths=lengths))
    assert list(table.counts(text).items()) == list(theirs.items())
    assert "releif" not in table.known_ and "kyphoplasty" not in table.known_  # a patient's words are not kept


def test_the_character_analyzer_is_scikit_learns_on_every_indexed_text(fitted: Index, bot: Chatbot) -> None:
    theirs = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), lowercase=False).build_analyzer()
    texts = fitted._texts(bot.pairs).corpus
    assert len(texts) > 400
    assert all(char_wb_ngrams(text) == theirs(text) for text in texts)


def test_the_stemmer_is_snowballs_english_one(bot: Chatbot) -> None:
    """PyStemmer (C) must stem exactly as Snowball's pure-Python reference: the stored index's
    terms were stemmed so, and an older Snowball release stems "added" to "ad"."""
    reference = snowballstemmer.stemmer("english")
    words = {w for pair in bot.pairs for w in normalize(f"{pair.question} {pair.answer}").split()}
    words |= {"exercising", "exercises", "burns", "nerves", "generously", "dying", "relief", "knees", "added"}
    words |= {"anesthesiologist", "cardiologists", *top_n_list("en", 5000)}
    long_words = sorted(w for w in words if len(w) > 3 and w.isalpha())
    assert len(long_words) > 4000
    assert [stem(w) for w in long_words] == [reference.stemWord(w) for w in long_words]


def test_a_state_from_other_texts_is_refused_and_leaves_the_index_unfitted(bot: Chatbot, restored: Index) -> None:
    index = Index(synonyms=bot.synonyms)
    with pytest.raises(IndexMismatchError, match="learned from other pairs, synonyms or index settings"):
        index.restore(bot.pairs[:-1], restored.state_)
    with pytest.raises(NotFittedError, match="not fitted"):
        index.search("how long does the relief last")
    with pytest.raises(IndexMismatchError):
        Index(synonyms=Synonyms()).restore(bot.pairs, restored.state_)
    with pytest.raises(IndexMismatchError):
        Index(synonyms=bot.synonyms, char_weight=0.5).restore(bot.pairs, restored.state_)


def test_the_index_file_is_deterministic(fitted: Index) -> None:
    assert dump_index(fitted.state_) == dump_index(fitted.state_) == (KB / "index.npz").read_bytes()
    with zipfile.ZipFile(io.BytesIO(dump_index(fitted.state_))) as archive:
        assert {info.date_time for info in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}


def test_answering_imports_no_build_time_code() -> None:
    """A command-line question or a server start needs neither scikit-learn nor the document readers."""
    script = (
        "import sys\n"
        "from chatbot import Chatbot\n"
        "from chatbot.lexicon import english_words\n"
        f"bot = Chatbot.load({str(KB)!r})\n"
        "bot.ask('how long does the relief last')\n"
        "heavy = ('sklearn', 'scipy', 'pandas', 'snowballstemmer', 'wordfreq')\n"
        "build = ('chatbot.build', 'chatbot.extract', 'chatbot.documents', 'chatbot.readers', 'chatbot.train',"
        " 'chatbot.alarmtrain')\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in heavy or m in build))\n"
        "print(english_words.cache_info().currsize)\n"
        "bot.ask('how long does the releif last')\n"
        "print(english_words.cache_info().currsize)\n"
    )
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True)
    imported, words_before, words_after = result.stdout.splitlines()
    assert imported == "[]"
    assert (words_before, words_after) == ("0", "1"), "the English word list is read for the first unknown word only"


def test_warming_up_reads_every_lazily_read_table(bot: Chatbot) -> None:
    script = (
        "from chatbot import Chatbot\n"
        "from chatbot import embedding, lexicon\n"
        f"bot = Chatbot.load({str(KB)!r})\n"
        "print('_patterns' in vars(bot.safety), embedding._shared_tokenizer.cache_info().currsize)\n"
        "bot.warm_up()\n"
        "print(lexicon.english_words.cache_info().currsize, lexicon._common_by_length.cache_info().currsize)\n"
        "print('_patterns' in vars(bot.safety), embedding._shared_tokenizer.cache_info().currsize)\n"
    )
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True)
    assert result.stdout.split() == ["False", "0", "1", "1", "True", "1"]


# --- the file fails closed ------------------------------------------------------------------------


def _rewrite(path: Path, change: dict[str, np.ndarray]) -> None:
    """Replace some members of an index file, keeping the others (and its recorded digest) as they are."""
    with np.load(path, allow_pickle=False) as stored:
        members = {name: stored[name] for name in stored.files}
    members.update(change)
    buffer = io.BytesIO()
    np.savez(buffer, **members)
    path.write_bytes(buffer.getvalue())


def test_a_missing_index_file_says_how_to_build(faq_copy: Path) -> None:
    (faq_copy / "index.npz").unlink()
    with pytest.raises(KnowledgeBaseError, match=r"index\.npz: no built index: run `python -m chatbot --faq .+ build`"):
        Chatbot.load(faq_copy)
    with pytest.raises(KnowledgeBaseError, match=r"index\.npz: file not found; run `python -m chatbot build`"):
        read_index(faq_copy / "index.npz")


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (lambda data: data[: len(data) // 2], r"index\.npz: not a readable index file \(BadZipFile\): cut short"),
        (lambda data: b"", r"index\.npz: not a readable index file"),
        (lambda data: b"pairs: []\n", r"index\.npz: not a readable index file"),
    ],
)
def test_a_damaged_index_file_is_refused(faq_copy: Path, damage: object, message: str) -> None:
    path = faq_copy / "index.npz"
    path.write_bytes(damage(path.read_bytes()))  # type: ignore[operator]
    with pytest.raises(KnowledgeBaseError, match=message):
        Chatbot.load(faq_copy)


def test_an_edited_array_does_not_match_the_digest(faq_copy: Path) -> None:
    path = faq_copy / "index.npz"
    state = read_index(path)
    _rewrite(path, {"data": state.data * 1.0001})
    with pytest.raises(KnowledgeBaseError, match=r"index\.npz: content does not match its digest"):
        Chatbot.load(faq_copy)
    _rewrite(path, {"data": state.data})
    assert len(Chatbot.load(faq_copy).pairs) == 60, "the same arrays again match"


def test_an_index_of_another_format_or_with_objects_is_refused(faq_copy: Path) -> None:
    path = faq_copy / "index.npz"
    with np.load(path, allow_pickle=False) as stored:
        meta = json.loads(str(stored["meta"][()]))
    _rewrite(path, {"meta": np.array(json.dumps({**meta, "format": 99}))})
    with pytest.raises(KnowledgeBaseError, match=r"index\.npz: index format 99, this version reads 1"):
        Chatbot.load(faq_copy)
    _rewrite(path, {"meta": np.array([{"format": 1}], dtype=object)})
    with pytest.raises(KnowledgeBaseError, match=r"index\.npz: not a readable index file \(ValueError\)"):
        Chatbot.load(faq_copy)


def test_edited_synonyms_that_change_the_indexed_texts_need_a_build(faq_copy: Path) -> None:
    """The index is learned from synonym-expanded texts: an edit that changes them does not load without a build."""
    synonyms = faq_copy / "synonyms.yaml"
    original = synonyms.read_text(encoding="utf-8")
    synonyms.write_text(original + "physiotherapy: [physio]\n", encoding="utf-8")
    assert len(Chatbot.load(faq_copy).pairs) == 60, "no document says physio: the indexed texts are the same"
    synonyms.write_text(original + "comfort measures: [relief]\n", encoding="utf-8")
    with pytest.raises(KnowledgeBaseError, match=r"index\.npz: was built from other pairs or synonyms .* build`$"):
        Chatbot.load(faq_copy)
    assert build(KnowledgeBasePaths.at(faq_copy)).changed
    assert Chatbot.load(faq_copy).ask("how long does the relief last").kind == "answer"


def test_build_index_writes_only_a_changed_state(faq_copy: Path) -> None:
    paths = KnowledgeBasePaths.at(faq_copy)
    pairs = read_pairs(paths.pairs)
    assert not build_index(paths, pairs)
    assert build_index(paths, pairs[:-1])
    assert not build_index(paths, pairs[:-1])


def test_the_shipped_knowledge_base_has_its_index(tmp_path: Path) -> None:
    """``faq/index.npz`` belongs to ``faq/pairs.yaml``: the shipped bot loads (a stale one would not)."""
    target = tmp_path / "faq"
    shutil.copytree(ROOT / "faq", target)
    assert not build(KnowledgeBasePaths.at(target)).changed, "faq/ is not built: run `python -m chatbot build`"
