"""The generator interface: numbered passages in, an answer with citations out."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

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
