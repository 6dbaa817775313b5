"""Every stored sentence's spaCy parse, made at indexing so that answering a question
parses no article sentence: the conflict finder reads what each figure counts and the
verifier whether a cited sentence is an order from these (`indexer.split.parse` returns
a stored parse for a sentence's text), in a twentieth of the time a parse takes.

    v-.../sentence_parses.bin          each sentence's `Doc.to_bytes()`, zlib-compressed,
                                       one after another, in the order of sentence_ids.npy
    v-.../sentence_parse_offsets.npy   where each one starts (and the last one ends)
    v-.../claim_parses.bin, claim_parse_offsets.npy
                                       the same for claims, by claim_ids.npy: the parse of
                                       a content that runs past its sentence (a quotation
                                       of several sentences), empty for the others

A sentence is parsed on its own, as question-time code parses it; its parse inside the
whole article differs (in tags, dependencies or entities) for about a fifth of sentences.
A claim's content within its sentence is read as a span of the sentence's parse
(`remember_parts`, `span_doc`); one that runs past it is parsed on its own, stored.
"""

from __future__ import annotations

import functools
import mmap
import zlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, cast

import numpy as np
import srsly
from spacy.attrs import DEP, ENT_IOB, ENT_TYPE, HEAD, LEMMA, MORPH, POS, TAG
from spacy.tokens import Doc
from spacy.vocab import Vocab
from thinc.types import Ints2d

from indexer.lru import LRU
from indexer.models import Claim, Sentence
from indexer.span_vectors import CLAIMS, SENTENCES, Kind, StoredRows


@dataclass(frozen=True)
class ParseFiles:
    """The rows of one table that have stored parses, and the two files holding them."""

    kind: Kind
    parses_file: str
    offsets_file: str


SENTENCE_PARSES = ParseFiles(SENTENCES, "sentence_parses.bin", "sentence_parse_offsets.npy")
CLAIM_PARSES = ParseFiles(CLAIMS, "claim_parses.bin", "claim_parse_offsets.npy")
# What a question-time reader uses of a parse; the rest (tensors) is large and unread.
_EXCLUDE = ("tensor", "user_data")


def to_bytes(docs: Iterable[Doc]) -> list[bytes]:
    return [zlib.compress(doc.to_bytes(exclude=_EXCLUDE), 1) for doc in docs]


class StoredParses:
    """One version's stored parses of one table's rows, looked up by rowid."""

    def __init__(self, directory: Path, files: ParseFiles = SENTENCE_PARSES) -> None:
        self.ids = np.load(directory / files.kind.ids_file, mmap_mode="r")
        self.offsets = np.load(directory / files.offsets_file, mmap_mode="r")
        with open(directory / files.parses_file, "rb") as fh:
            size = fh.seek(0, 2)
            # An empty file cannot be mapped; nothing is read from it then.
            self._data = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) if size else b""
        if len(self.offsets) != len(self.ids) + 1 or int(self.offsets[-1]) != size:
            raise ValueError(
                f"{len(self.offsets)} parse offsets for {len(self.ids)} {files.kind.table}"
            )

    def __len__(self) -> int:
        return len(self.ids)

    def get(self, ids: Sequence[int]) -> list[bytes]:
        """The stored parses of rows `ids` (rowids), in that order (b"": none stored)."""
        rows = np.searchsorted(self.ids, np.asarray(ids, dtype=np.int64))
        if len(ids) and (rows.max() >= len(self.ids) or np.any(self.ids[rows] != ids)):
            raise KeyError("a row has no stored parse")
        return [bytes(self._data[self.offsets[r] : self.offsets[r + 1]]) for r in rows]


_CARRY_BLOCK = 50_000  # rows carried over from the previous version per lookup


def write_parses(
    rows: StoredRows,
    staging: Path,
    fresh: Mapping[str, Sequence[bytes]],
    previous: Path | None,
    files: ParseFiles = SENTENCE_PARSES,
) -> int:
    """Write the parse of every row of `files.kind` (`rows`, the store's `stored_rows`)
    into `staging`, in the order of its ids: those of the articles in `fresh` (one per
    row, by index) from there, the others from the previous version (same rowids: the
    store is a byte copy)."""
    old = StoredParses(previous, files) if previous is not None else None
    ids, articles, positions = rows
    offsets: list[int] = [0]
    with open(staging / files.parses_file, "wb") as out:
        # Runs of rows carried over are read from the previous version a block at a
        # time (one lookup per block, not per row; a block's blobs only in memory).
        kept: list[int] = []

        def flush() -> None:
            if kept:
                assert old is not None
                for blob in old.get(kept):
                    out.write(blob)
                    offsets.append(offsets[-1] + len(blob))
                kept.clear()

        for rowid, article_id, position in zip(ids.tolist(), articles, positions, strict=True):
            if article_id in fresh:
                flush()
                blob = fresh[article_id][position]
                out.write(blob)
                offsets.append(offsets[-1] + len(blob))
            elif old is not None:
                kept.append(rowid)
                if len(kept) == _CARRY_BLOCK:
                    flush()
            else:
                raise ValueError(
                    f"{files.kind.table} without parses and no previous version with them"
                )
        flush()
    np.save(staging / files.offsets_file, np.array(offsets, dtype=np.int64))
    return len(ids)


# Parses of the sentences answers are being built from, most recently used last; about
# 1.3 KB each.
_REMEMBERED: LRU[str, bytes] = LRU(20_000)


def remember(texts: Sequence[str], blobs: Sequence[bytes]) -> None:
    """Stored parses of these texts (from `SentenceParses.get`), for `recall`."""
    _REMEMBERED.put_many(zip(texts, blobs, strict=True))


def recall(text: str, vocab: Vocab) -> Doc | None:
    """The stored parse of `text`, if one was remembered."""
    blob = _REMEMBERED.get(text)
    if blob is None:
        return None
    return from_bytes(zlib.decompress(blob), vocab)


def from_bytes(data: bytes, vocab: Vocab) -> Doc:
    """`Doc(vocab).from_bytes(data)`, in a seventh of the time: srsly's `msgpack_loads`
    collects its registered decoders (numpy arrays) from the installed packages' entry
    points on every call, which costs six times the decoding of a sentence's parse; they
    are collected once here."""
    msg = srsly.msgpack._unpackb(data, raw=False, use_list=True, object_hook=_decoders())
    return Doc(vocab).from_dict(msg)


@lru_cache(maxsize=1)
def _decoders() -> Callable[..., Any] | None:
    hook: Callable[..., Any] | None = None
    for decoder in srsly.msgpack_decoders.get_all().values():
        hook = functools.partial(decoder, chain=hook)
    return hook


# A claim's cue, content and what it says (`Claim.said`), by text: (its sentence's text,
# start, end in it). Question-time code reads their parse as a span of the sentence's
# stored parse (`span_doc`) rather than parsing them again on their own.
_PARTS: LRU[str, tuple[str, int, int]] = LRU(20_000)


def remember_parts(located: Iterable[tuple[Claim, Sentence]]) -> None:
    """Where each claim's cue, content and said text sit in its sentence, for `part_of`."""
    _PARTS.put_many(
        (sentence.text[start:end], (sentence.text, start, end))
        for claim, sentence in located
        for start, end in _parts(claim, sentence)
        # A part that is the whole sentence reads the sentence's own stored parse.
        if (start, end) != (0, len(sentence.text))
    )


def _parts(claim: Claim, sentence: Sentence) -> list[tuple[int, int]]:
    content = claim.content
    said = len(content.text) - len(claim.said)
    spans = [(claim.cue.start, claim.cue.end), (content.start, content.end)]
    spans.append((content.start + said, content.end))
    return [
        (start - sentence.start, end - sentence.start)
        for start, end in spans
        if sentence.start <= start < end <= sentence.end
    ]


def part_of(text: str) -> tuple[str, int, int] | None:
    """The sentence text a remembered claim part sits in, and where."""
    return _PARTS.get(text)


_SPAN_ATTRS = [TAG, POS, MORPH, LEMMA, DEP, HEAD, ENT_IOB, ENT_TYPE]


def span_doc(doc: Doc, start: int, end: int) -> Doc | None:
    """The parse of `doc.text[start:end]` as a Doc of its own, read from `doc` (tags,
    lemmas, dependencies, entities); None when the text does not start and end on token
    boundaries. A token whose head lies outside heads the new Doc (as the ROOT)."""
    span = doc.char_span(start, end)
    if span is None:
        return None
    out = span.as_doc()
    if out[-1].whitespace_:
        # `as_doc` keeps the last token's trailing space, which is not in the text.
        trimmed = Doc(
            doc.vocab,
            words=[t.text for t in out],
            spaces=[bool(t.whitespace_) for t in out[:-1]] + [False],
        )
        out = trimmed.from_array(_SPAN_ATTRS, cast(Ints2d, out.to_array(_SPAN_ATTRS)))
    for token in out:
        if token.head.i == token.i:
            token.dep_ = "ROOT"
    return out
