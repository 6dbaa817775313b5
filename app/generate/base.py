"""The generator interface: numbered passages in, an answer with citations out."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from indexer.claims import is_headline
from indexer.models import Chunk, Claim, Sentence

if TYPE_CHECKING:
    from app.conflicts import Found


@dataclass(frozen=True)
class ArticleRef:
    id: str
    title: str
    outlet: str | None
    published: str | None
    url: str | None


@dataclass(frozen=True)
class Passage:
    """A retrieved chunk, numbered from 1 in retrieval order, with what lies inside it."""

    n: int
    chunk: Chunk
    article: ArticleRef
    sentences: list[Sentence]
    claims: list[Claim]
    score: float

    def holds(self, sentence: Sentence) -> bool:
        chunk = self.chunk
        return chunk.article_id == sentence.article_id and chunk.start <= sentence.start < chunk.end

    def headline(self, sentence: Sentence) -> bool:
        """Whether a sentence of this chunk is a whole line of its article that reads as a
        headline, a byline or a caption (`indexer.claims.is_headline`)."""
        start = sentence.start - self.chunk.start
        text = self.chunk.text
        before, after = text[:start], text[start + len(sentence.text) :]
        if before.strip() and not before.endswith("\n"):
            return False
        # A line may end in "\r\n" (the text is kept as its file had it).
        if after.strip() and not re.match(r"\r?\n", after):
            return False
        # The article's first line, set off by a blank line, is its headline.
        opens = sentence.idx == 0 and bool(re.match(r"[^\S\n]*\n[^\S\n]*\n\s*\S", after))
        return is_headline(sentence.text, opens)


@dataclass(frozen=True)
class Citation:
    """An answer's [n] points here; `quote == article.text[start:end]`."""

    n: int
    article: ArticleRef
    start: int
    end: int
    quote: str
    supported: bool = True


@dataclass(frozen=True)
class ClaimUse:
    """A claim the answer rests on, tied to the citation of its sentence."""

    claim: Claim
    citation: int


@dataclass
class Answer:
    text: str
    citations: list[Citation]
    generator: str
    claims: list[ClaimUse] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    # The conflict finder's result over the passages, when the generator ran it (to group
    # the sides of a disagreement): the service reports it instead of finding it again.
    conflicts: list[Found] | None = None


class Generator(Protocol):
    name: str

    def generate(self, question: str, passages: list[Passage]) -> Answer: ...
