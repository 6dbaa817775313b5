"""The embedding of every stored sentence and claim (what it says: `Claim.said`), computed at indexing so that
answering a question embeds no article text: the extractive generator, the conflict
finder and the verifier read these instead of running the encoder over what they were
given.

    v-.../sentences.npy  sentence_ids.npy   (sentences, dim) float32; `sentences` rowids
    v-.../claims.npy     claim_ids.npy      (claims, dim) float32; `claims` ids

Vectors are memory-mapped when read. Each text is embedded on its own, exactly as
`Embedder.embed` embeds any text at question time, so a stored vector and a freshly
computed one are the same vector. (Pooling the chunk pass's word-piece states over each
sentence would cost no second pass, but gives other vectors: on 10 PolNeAR dev articles,
cosine 0.71 on average with the sentence's own embedding, 0.16 at the 5th percentile.)
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from spacy.tokens import Doc

from indexer.embed import Vectors
from indexer.models import Claim, Sentence
from indexer.store import Store


@dataclass(frozen=True)
class Kind:
    """One table whose rows have stored vectors, and the two files holding them."""

    table: str
    vectors_file: str
    ids_file: str


SENTENCES = Kind("sentences", "sentences.npy", "sentence_ids.npy")
CLAIMS = Kind("claims", "claims.npy", "claim_ids.npy")


class SpanVectors:
    """One version's vectors of one kind, looked up by row id."""

    def __init__(self, ids: np.ndarray[Any, np.dtype[np.int64]], vectors: Vectors) -> None:
        self.ids = ids
        self.vectors = vectors

    def __len__(self) -> int:
        return len(self.ids)

    @classmethod
    def open(cls, directory: Path, kind: Kind) -> SpanVectors:
        ids = np.load(directory / kind.ids_file, mmap_mode="r")
        vectors = np.load(directory / kind.vectors_file, mmap_mode="r")
        if len(ids) != len(vectors):
            raise ValueError(f"{len(ids)} {kind.table} ids for {len(vectors)} vectors")
        return cls(ids, vectors)

    def get(self, ids: Sequence[int]) -> Vectors:
        """The vectors of rows `ids`, in that order; KeyError for one not stored."""
        wanted = np.asarray(ids, dtype=np.int64)
        if len(wanted) == 0:
            return np.zeros((0, self.vectors.shape[1]), dtype=np.float32)
        rows = np.minimum(np.searchsorted(self.ids, wanted), max(len(self.ids) - 1, 0))
        if len(self.ids) == 0 or not np.array_equal(self.ids[rows], wanted):
            raise KeyError("a row has no stored vector")
        return np.asarray(self.vectors[rows], dtype=np.float32)


# Every row of a table in rowid order: (rowids, article ids, position in its article).
StoredRows = tuple[np.ndarray[Any, np.dtype[np.int64]], list[str], list[int]]


def stored_rows(store: Store, table: str) -> StoredRows:
    """Every row of `table` in rowid order: (rowids, article ids, position in its article)."""
    rows = store.db.execute(
        "SELECT rowid, article_id, row_number() OVER (PARTITION BY article_id ORDER BY rowid)"
        f" - 1 FROM {table} ORDER BY rowid"
    ).fetchall()
    ids = np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))
    return ids, [r[1] for r in rows], [r[2] for r in rows]


def write_span_vectors(
    rows: StoredRows,
    staging: Path,
    kind: Kind,
    fresh: Mapping[str, Vectors],
    previous: Path | None,
) -> int:
    """Write the vectors of every row of `kind` (`rows`, the store's `stored_rows`) into
    `staging`: those of the articles in `fresh` (article id -> one vector per row, in the
    order they were stored) from there, the others from the previous version (the store
    is a byte copy of its store, so their ids are the same). Returns how many were written."""
    old = SpanVectors.open(previous, kind) if previous is not None else None
    ids, articles, positions = rows
    dim = next((v.shape[1] for v in fresh.values()), old.vectors.shape[1] if old else 0)
    out = np.zeros((len(ids), dim), dtype=np.float32)
    kept = [i for i, a in enumerate(articles) if a not in fresh]
    if kept:
        if old is None:
            raise ValueError(f"{kind.table} without vectors and no previous version with them")
        out[kept] = old.get(ids[kept].tolist())
    for i, (article_id, position) in enumerate(zip(articles, positions, strict=True)):
        if article_id in fresh:
            out[i] = fresh[article_id][position]
    np.save(staging / kind.ids_file, ids)
    np.save(staging / kind.vectors_file, out)
    return len(ids)


# The short texts the conflict finder (app/stance.py) embeds for each claim it compares:
# its cue, its lead-in (`lead_in`), the nouns of its content and its clauses (`clauses`,
# which it compares with rebuttals). Known at indexing, so embedded there, each distinct
# text once, and looked up by text at question time (`app.vectors.VectorCache`).
PHRASES_FILE = "phrases.npy"
PHRASE_KEYS_FILE = "phrase_keys.npy"


def claim_phrases(claim: Claim, sentence: Sentence, content: Doc) -> list[str]:
    """The phrases of one claim; `content` is the parse question-time code reads of its
    content (`app.facts.parsed`: a span of its sentence's stored parse)."""
    texts = [
        claim.cue.text,
        lead_in(claim, sentence),
        *nouns(content),
        *clauses(content),
        *measure_words(content),
    ]
    return [t for t in dict.fromkeys(texts) if t]


def nouns(doc: Doc) -> list[str]:
    """The common nouns of a content, each as text."""
    return [t.text for t in doc if t.pos_ == "NOUN"]


def measure_words(doc: Doc) -> list[str]:
    """The lemmas of the content's nouns, verbs and adjectives: what a figure in it may
    count and what happened to it ("people", "die", "dead"), which the conflict finder
    compares by their vectors."""
    return [t.lemma_.lower() for t in doc if t.pos_ in ("NOUN", "VERB", "ADJ")]


def clauses(doc: Doc) -> list[str]:
    """The content's sentences and the clauses they hold ("You know, when I am described
    as a Japanese admiral, it's not true"), each as text."""
    out = [s.text for s in doc.sents]
    for t in doc:
        if t.dep_ in ("ROOT", "conj", "ccomp", "advcl", "parataxis") and t.pos_ in ("VERB", "AUX"):
            out.append(doc[t.left_edge.i : t.right_edge.i + 1].text)
    return [c for c in dict.fromkeys(out) if c.strip()]


def lead_in(claim: Claim, sentence: Sentence) -> str:
    """The claim's sentence up to the end of its cue, without the claimant's own words:
    how the content is put ("Sharpton later clarified" is compared as "later clarified")."""
    return without_claimant(claim, sentence.text[: max(0, claim.cue.end - sentence.start)])


def without_claimant(claim: Claim, text: str) -> str:
    """`text` with the claimant's own words (its mention in the article) blanked out."""
    mention = claim.claimant_mention
    return text.replace(mention.text, " ") if mention is not None and mention.text else text


def phrase_keys(texts: Iterable[str]) -> np.ndarray[Any, np.dtype[np.uint64]]:
    """64-bit keys of texts: a table of them is looked up without holding the texts."""
    return np.fromiter(
        (
            int.from_bytes(hashlib.blake2b(t.encode(), digest_size=8).digest(), "little")
            for t in texts
        ),
        dtype=np.uint64,
    )


class PhraseVectors:
    """One version's phrase vectors, looked up by text (sorted by key)."""

    def __init__(self, directory: Path) -> None:
        self.keys = np.load(directory / PHRASE_KEYS_FILE, mmap_mode="r")
        self.vectors = np.load(directory / PHRASES_FILE, mmap_mode="r")
        if len(self.keys) != len(self.vectors):
            raise ValueError(f"{len(self.keys)} phrase keys for {len(self.vectors)} vectors")

    def __len__(self) -> int:
        return len(self.keys)

    def lookup(self, texts: Sequence[str]) -> dict[str, np.ndarray]:
        """The stored vectors of those `texts` that have one."""
        if not len(self.keys) or not texts:
            return {}
        wanted = phrase_keys(texts)
        rows = np.minimum(np.searchsorted(self.keys, wanted), len(self.keys) - 1)
        found = self.keys[rows] == wanted
        return {
            t: np.asarray(self.vectors[r], dtype=np.float32)
            for t, r, ok in zip(texts, rows.tolist(), found.tolist(), strict=True)
            if ok
        }


def write_phrase_vectors(
    staging: Path, fresh: Mapping[str, np.ndarray], previous: Path | None, dim: int
) -> int:
    """Write the previous version's phrases and the `fresh` ones into `staging`. Phrases
    of deleted articles stay: they are still the right vectors of their texts, and a
    corpus's cues and nouns are a vocabulary that grows slowly."""
    keys = phrase_keys(fresh)
    vectors = np.stack(list(fresh.values())) if fresh else np.zeros((0, dim), np.float32)
    if previous is not None:
        old = PhraseVectors(previous)
        keep = ~np.isin(old.keys, keys)
        keys = np.concatenate([np.asarray(old.keys)[keep], keys])
        vectors = np.concatenate([np.asarray(old.vectors)[keep], vectors])
    order = np.argsort(keys, kind="stable")
    np.save(staging / PHRASE_KEYS_FILE, keys[order])
    np.save(staging / PHRASES_FILE, vectors[order].astype(np.float32))
    return len(keys)
