"""Text vectors from static word embeddings: meaning beyond shared words ("days off work" ≈ "return to work").

TF-IDF and rapidfuzz only see the words and letters a question shares with a passage; a patient
who asks "how many days off work" or "can they burn the nerve" shares few of them with "return to
work within a few days" or "radiofrequency ablation". WordLlama's ``l2_supercat`` embeddings
(256 numbers per token of the Llama 2 tokenizer, trained for sentence similarity, MIT licence)
place such texts close together. A text's vector is the mean of its tokens' vectors at unit
length, as WordLlama computes it: a table lookup, so a question costs about a tenth of a
millisecond and needs no neural network at run time.

The two files are read from the pinned ``wordllama`` package's data folder, the same way
:mod:`chatbot.wordfrequency` reads wordfreq's table; WordLlama's own code is never imported or
run (its loader would look for files on the internet), so nothing leaves the server. The
tokenizer is Hugging Face's ``tokenizers``; the table is a ``safetensors`` file, whose documented
layout (a length, a JSON header, then the raw numbers) is mapped into memory here rather than
copied, so a start reads only the rows its texts use.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import mmap
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np

__all__ = ["DIMENSIONS", "Embedder", "Meanings", "WordTokens", "tokenizer_digest"]

DIMENSIONS = 256
_WEIGHTS = Path("weights") / "l2_supercat_256.safetensors"
_TOKENIZER = Path("tokenizers") / "l2_supercat_tokenizer_config.json"
_TABLE = "embedding.weight"
_MARK = "\u2581"
"""The Llama tokenizer's space: it prepends one to a text and writes every space as one."""

_WORD_BOUNDARY = re.compile(r"(?<=[^ ]) ")
"""A space after a character that is not one: where a Llama token can never run across (see
:meth:`Embedder.by_word`)."""
_FEW_WORDS = 8
"""Up to this many words are tokenized one call each instead of as a batch (see ``Embedder._encode``)."""


@dataclass(frozen=True)
class WordTokens:
    """Words and their token ids as a tokenizer gave them, so a text of known words needs no tokenizer.

    Reading the tokenizer (1.8 MB of JSON) took a seventh of a second of every start, a
    command-line question included; a build stores the ids of every word of the texts a start
    embeds (:mod:`chatbot.examplefile`), checked against the installed tokenizer file's digest,
    and the words patients use are mostly those. ``specials`` (the added tokens' texts, which the
    tokenizer cuts a text at) and ``mark`` (the id of the space mark) are the tokenizer's own too.
    """

    ids: Mapping[str, tuple[int, ...]]
    specials: tuple[str, ...]
    mark: int


@dataclass(frozen=True)
class Meanings:
    """Texts' vectors made by a build, by what they are (the answerer's "phrasing", "sentence" and
    "asked"), in the order it lists the texts, and the ids of their words (for a question's)."""

    vectors: Mapping[str, np.ndarray]
    words: WordTokens


class Embedder:
    """Turns texts into unit-length vectors: the mean of their tokens' embeddings.

    Parameters
    ----------
    table:
        One row per token id (``float16`` as stored: 16 MB; sums are taken in ``float32``).
    tokenizer:
        A ``tokenizers.Tokenizer`` whose ids index ``table``, or a function without arguments
        that returns one (called when a text first needs it: see ``words``).
    by_word:
        Whether the tokenizer's tokens of a text are the tokens of its words, each tokenized on
        its own (see :meth:`token_ids`); then a batch tokenizes each distinct word once.
    words:
        Words whose ids are known already (:class:`WordTokens`, by the same tokenizer); only with
        ``by_word``. A text made of them is never given to the tokenizer.
    """

    def __init__(
        self,
        table: np.ndarray,
        tokenizer: object | Callable[[], object],
        *,
        by_word: bool = False,
        words: WordTokens | None = None,
    ) -> None:
        if words is not None and not by_word:
            raise ValueError("known words' ids can stand for a text's only when it is tokenized word by word")
        self.table = table
        self._tokenizer = tokenizer
        self.by_word = by_word
        self.words = words

    @property
    def tokenizer(self) -> object:
        """The tokenizer, read now if it was given as a function that reads it."""
        return self._tokenizer() if callable(self._tokenizer) else self._tokenizer

    @classmethod
    @cache
    def shared(cls) -> Embedder:
        """The embedder of the installed ``wordllama`` data, read once per process and never changed.

        The table is mapped now; the tokenizer is read when a text first needs it (one whose words
        a :class:`WordTokens` of :meth:`knowing` does not hold), once per process.
        """
        root = _data_folder()
        return cls(_read_table(root / _WEIGHTS), _shared_tokenizer, by_word=True)

    def knowing(self, words: WordTokens) -> Embedder:
        """This embedder (the same table and tokenizer), taking the ids of ``words`` as known."""
        return Embedder(self.table, self._tokenizer, by_word=True, words=words)

    def word_tokens(self, texts: Sequence[str]) -> WordTokens:
        """The ids of every word of ``texts`` (as :meth:`token_ids` cuts them), for :meth:`knowing`."""
        specials, mark = self._rules()
        split = [_WORD_BOUNDARY.split(text) for text in texts if not any(special in text for special in specials)]
        words = list(dict.fromkeys(word for pieces in split for word in pieces))
        return WordTokens({word: tuple(ids) for word, ids in self._encode(words).items()}, specials, mark)

    def _rules(self) -> tuple[tuple[str, ...], int]:
        """The texts of the tokenizer's added tokens and the id of its space mark (see :meth:`token_ids`)."""
        if self.words is not None:
            return self.words.specials, self.words.mark
        tokenizer = self.tokenizer
        added = tokenizer.get_added_tokens_decoder()  # type: ignore[attr-defined]
        mark = tokenizer.token_to_id(_MARK)  # type: ignore[attr-defined]
        if mark is None:
            raise ValueError(f"the tokenizer has no token {_MARK!r}, so it cannot tokenize word by word")
        return tuple(token.content for token in added.values()), int(mark)

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """One unit-length ``float32`` row per text; a text with no tokens gets a row of zeros."""
        out = np.zeros((len(texts), self.table.shape[1]), dtype=np.float32)
        if not texts:
            return out
        for row, ids in enumerate(self.token_ids(texts)):
            if ids:
                out[row] = self.table[ids].sum(axis=0, dtype=np.float32)
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return out / np.where(norms > 0, norms, 1.0)

    def token_ids(self, texts: Sequence[str]) -> list[list[int]]:
        """The tokenizer's ids of each text (without special tokens), tokenizing each distinct word
        of the batch once when :attr:`by_word` allows it, and none that :attr:`words` holds.

        Why word by word is exact for WordLlama's (Llama 2) tokenizer: it has no pre-tokenizer, so
        byte-pair merging runs over a whole text at once, and a start loaded a few thousand
        passages and phrasings (a tenth of a second of every start, a command-line question
        included); but none of its tokens holds a space mark after another character (only runs
        of space marks do), so no token crosses a space that follows a character, and the text's
        tokens are its words' tokens one after another. Each such space is dropped and the word
        after it tokenized alone, which prepends the mark again; a space that ends the text is
        the lone mark. A text holding a special token's text ("<s>") is tokenized whole, since the
        tokenizer cuts it there first. ``tests/test_embedding.py`` checks both the property of the
        vocabulary and the equality on the knowledge base's texts.
        """
        if not self.by_word:
            return [e.ids for e in self.tokenizer.encode_batch_fast(list(texts), add_special_tokens=False)]  # type: ignore[attr-defined]
        specials, mark = self._rules()
        split = [
            [text] if any(special in text for special in specials) else _WORD_BOUNDARY.split(text) for text in texts
        ]
        # A piece holding a special token's text is a whole text, never a stored word.
        known = self.words.ids if self.words is not None else {}
        words = [word for word in dict.fromkeys(word for pieces in split for word in pieces) if word not in known]
        ids_of = self._encode(words) if words else {}
        out: list[list[int]] = []
        for pieces in split:
            ids = [token for word in pieces for token in (ids_of[word] if word in ids_of else known[word])]
            if len(pieces) > 1 and not pieces[-1]:
                ids.append(mark)
            out.append(ids)
        return out

    def _encode(self, words: Sequence[str]) -> dict[str, Sequence[int]]:
        """Each of ``words`` (distinct) tokenized on its own: a batch on the tokenizer's threads, or
        a few (a question's unknown words) one call each, since waking the thread pool costs more
        (0.1-1 ms on a busy machine) than tokenizing them."""
        if len(words) <= _FEW_WORDS:
            encode = self.tokenizer.encode  # type: ignore[attr-defined]
            return {word: encode(word, add_special_tokens=False).ids for word in words}
        encodings = self.tokenizer.encode_batch_fast(list(words), add_special_tokens=False)  # type: ignore[attr-defined]
        return {word: encoding.ids for word, encoding in zip(words, encodings, strict=True)}


def tokenizer_digest() -> str:
    """SHA-256 of the installed tokenizer file: what a stored :class:`WordTokens` must have been made by."""
    return _tokenizer_digest(_data_folder() / _TOKENIZER)


@cache
def _tokenizer_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _data_folder() -> Path:
    spec = importlib.util.find_spec("wordllama")
    if spec is None or not spec.submodule_search_locations:
        raise ImportError("wordllama is not installed: pip install -r requirements.txt")
    return Path(next(iter(spec.submodule_search_locations)))


@cache
def _shared_tokenizer() -> object:
    """The installed tokenizer, read once per process (about a seventh of a second) and never changed."""
    from tokenizers import Tokenizer

    root = _data_folder()
    tokenizer = Tokenizer.from_file(str(root / _TOKENIZER))
    rows = len(Embedder.shared().table)
    if tokenizer.get_vocab_size() > rows:
        raise ValueError(f"{root / _TOKENIZER}: more tokens than {root / _WEIGHTS} has rows")
    tokenizer.no_padding()
    tokenizer.no_truncation()
    return tokenizer


def _read_table(path: Path) -> np.ndarray:
    """The embedding table of a safetensors file, mapped read-only into memory (never copied).

    The layout (safetensors' documented format): an 8-byte little-endian header length, a JSON
    header giving the table's type, shape and byte range, then the numbers. Anything else raises
    ``ValueError`` naming the file.
    """
    try:
        with path.open("rb") as file:
            mapped = mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ)
        size = int.from_bytes(mapped[:8], "little")
        entry = json.loads(mapped[8 : 8 + size])[_TABLE]
        rows, columns = entry["shape"]
        begin, end = entry["data_offsets"]
        start = 8 + size + begin
        if entry["dtype"] != "F16" or end - begin != rows * columns * 2 or start + rows * columns * 2 > len(mapped):
            raise ValueError("not a float16 table of the size its header gives")
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ValueError(f"{path}: not a readable embedding table ({exc})") from None
    if columns != DIMENSIONS:
        raise ValueError(f"{path}: expected {DIMENSIONS} numbers per token, found shape {(rows, columns)}")
    return np.frombuffer(mapped, dtype="<f2", count=rows * columns, offset=start).reshape(rows, columns)
