"""Domain records that flow from the indexer into the index and out through the app."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Article:
    """One news article; `text` is kept exactly as stored so offsets always refer to it."""

    id: str
    title: str
    text: str
    outlet: str | None = None
    published: str | None = None  # ISO date, YYYY-MM-DD
    url: str | None = None
    source: str = ""  # where it was read from: a path, or "path#n" for a JSONL record
    metadata: dict[str, Any] = field(default_factory=dict)

    @property
    def content_hash(self) -> str:
        """Hash of everything that, when changed, requires re-indexing the article."""
        h = hashlib.sha256()
        for part in (
            self.title,
            self.outlet or "",
            self.published or "",
            self.url or "",
            self.text,
        ):
            h.update(part.encode("utf-8"))
            h.update(b"\0")
        return h.hexdigest()


@dataclass(frozen=True)
class Span:
    """A character span of an article's text; `text == article.text[start:end]`."""

    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Sentence:
    article_id: str
    idx: int
    start: int
    end: int
    text: str
    # The store's rowid, which keys its stored vector; not part of what the sentence is.
    id: int | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Chunk:
    """Whole sentences `first_sentence..last_sentence` (inclusive) of one article."""

    id: int
    article_id: str
    idx: int
    start: int
    end: int
    text: str
    first_sentence: int
    last_sentence: int


# Words that introduce what was claimed without saying it: "(reports) that ...".
_LEAD = re.compile(r"^(?:reports?|claims?|suggestions?|allegations?)\s+(?:that\s+)?|^that\s+", re.I)

# The claimant of an attribution whose source the text does not give ("X appears likely
# to ..."): PolNeAR counts these, but no answer can say who made them.
UNKNOWN_CLAIMANT = "unknown"


@dataclass(frozen=True)
class Claim:
    """One attribution: `claimant` said/claimed `content` through `cue`.

    `claimant` is the best name for who made the claim (a pronoun or description
    resolved to the named entity when the article makes it clear); `claimant_mention`
    is the words the text actually uses there. `reported_by` is the chain of
    intermediaries that relayed the claim (e.g. "Yonhap"), outermost last.
    """

    article_id: str
    sentence_idx: int
    claimant: str
    claimant_mention: Span | None
    cue: Span
    content: Span
    kind: str  # direct | indirect | according_to | told | denial | estimate | statement | other
    reported_by: tuple[str, ...] = ()
    published: str | None = None
    id: int | None = None

    @property
    def has_claimant(self) -> bool:
        return self.claimant != UNKNOWN_CLAIMANT

    @property
    def said(self) -> str:
        """What was claimed, without the words that introduce it: the content's "that" or
        "reports that". Its embedding is stored at indexing (indexer/span_vectors.py)."""
        return _LEAD.sub("", self.content.text)
