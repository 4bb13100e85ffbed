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
tokenizer is Hugging Face's ``tokenizers`` and the table is read with ``safetensors``.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Sequence
from functools import cache
from pathlib import Path

import numpy as np

__all__ = ["DIMENSIONS", "Embedder"]

DIMENSIONS = 256
_WEIGHTS = Path("weights") / "l2_supercat_256.safetensors"
_TOKENIZER = Path("tokenizers") / "l2_supercat_tokenizer_config.json"


class Embedder:
    """Turns texts into unit-length vectors: the mean of their tokens' embeddings.

    Parameters
    ----------
    table:
        One row per token id (``float16`` as stored: 16 MB; sums are taken in ``float32``).
    tokenizer:
        A ``tokenizers.Tokenizer`` whose ids index ``table``.
    """

    def __init__(self, table: np.ndarray, tokenizer: object) -> None:
        self.table = table
        self.tokenizer = tokenizer

    @classmethod
    @cache
    def shared(cls) -> Embedder:
        """The embedder of the installed ``wordllama`` data, read once per process and never changed."""
        from safetensors.numpy import load_file
        from tokenizers import Tokenizer

        spec = importlib.util.find_spec("wordllama")
        if spec is None or not spec.submodule_search_locations:
            raise ImportError("wordllama is not installed: pip install -r requirements.txt")
        root = Path(next(iter(spec.submodule_search_locations)))
        table = load_file(str(root / _WEIGHTS))["embedding.weight"]
        if table.ndim != 2 or table.shape[1] != DIMENSIONS:
            raise ValueError(f"{root / _WEIGHTS}: expected {DIMENSIONS} numbers per token, found shape {table.shape}")
        tokenizer = Tokenizer.from_file(str(root / _TOKENIZER))
        if tokenizer.get_vocab_size() > len(table):
            raise ValueError(f"{root / _TOKENIZER}: more tokens than {root / _WEIGHTS} has rows")
        tokenizer.no_padding()
        tokenizer.no_truncation()
        return cls(table, tokenizer)

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """One unit-length ``float32`` row per text; a text with no tokens gets a row of zeros."""
        out = np.zeros((len(texts), self.table.shape[1]), dtype=np.float32)
        if not texts:
            return out
        encodings = self.tokenizer.encode_batch_fast(list(texts), add_special_tokens=False)  # type: ignore[attr-defined]
        for row, encoding in enumerate(encodings):
            if encoding.ids:
                out[row] = self.table[encoding.ids].sum(axis=0, dtype=np.float32)
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return out / np.where(norms > 0, norms, 1.0)
