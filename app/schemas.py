"""Request and response schemas of the HTTP API, named by role (see DESIGN.md's contract)."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from app.conflicts import Conflict
from app.generate.base import Citation, ClaimUse
from app.service import AskResult
from app.settings import get_settings
from indexer.models import Article, Claim
from indexer.store import ArticleFilter

# SQLite keeps integers in 64 bits; a larger offset is refused rather than overflowing.
MAX_OFFSET = 2**62


def valid_text(value: str | None) -> str | None:
    """Refuse text that cannot be UTF-8 (a lone surrogate such as \\ud800 in JSON)."""
    if value is not None:
        try:
            value.encode("utf-8")
        except UnicodeEncodeError as exc:
            raise ValueError(
                f"holds an unpaired surrogate ({value[exc.start]!r}) at character {exc.start}: "
                "send valid Unicode text"
            ) from None
    return value


def _iso_date(value: str | None) -> str | None:
    valid_text(value)
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value).isoformat()
    except ValueError:
        raise ValueError(
            f"'{value}' is not a date: write it as YYYY-MM-DD, e.g. 2025-02-27"
        ) from None


class Filters(BaseModel):
    """Restrict the articles searched; unknown keys are refused."""

    model_config = ConfigDict(extra="forbid")

    outlet: str | None = None
    published_from: str | None = Field(None, description="YYYY-MM-DD, inclusive")
    published_to: str | None = Field(None, description="YYYY-MM-DD, inclusive")
    article_id: str | None = None

    _dates = field_validator("published_from", "published_to")(_iso_date)
    _texts = field_validator("outlet", "article_id")(valid_text)

    def to_filter(self) -> ArticleFilter:
        return ArticleFilter(self.outlet, self.published_from, self.published_to, self.article_id)


class ArticlesQuery(Filters):
    offset: int = Field(0, ge=0, le=MAX_OFFSET)
    limit: int = Field(50, ge=1, le=500)


class SearchQuery(Filters):
    q: str = Field(min_length=1, max_length=2000, description="words to search for")
    top_k: int = Field(10, ge=1, le=100)


class AskRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    question: str
    top_k: int | None = Field(None, ge=1, description="passages to retrieve (1 to max_top_k)")
    filters: Filters | None = None
    generator: Literal["extractive", "llm"] | None = None
    stream: bool = False
    history: list[str] = Field(
        [],
        max_length=20,
        description="earlier questions of the conversation, oldest first: a follow-up "
        "('And what did he say?') is searched with their content words",
    )

    @field_validator("question")
    @classmethod
    def _question(cls, value: str) -> str:
        value = str(valid_text(value)).strip()
        if not value:
            raise ValueError("the question is empty: send a question in words")
        limit = get_settings().max_question_chars
        if len(value) > limit:
            raise ValueError(
                f"the question has {len(value)} characters; the limit is {limit}: shorten it"
            )
        return value

    @field_validator("history")
    @classmethod
    def _history(cls, value: list[str]) -> list[str]:
        limit = get_settings().max_question_chars
        if any(len(q) > limit for q in value):
            raise ValueError(f"history: each earlier question must be at most {limit} characters")
        return [q.strip() for q in value if q.strip()]

    @field_validator("top_k")
    @classmethod
    def _top_k(cls, value: int | None) -> int | None:
        limit = get_settings().max_top_k
        if value is not None and value > limit:
            raise ValueError(f"top_k is {value}; ask for at most {limit} passages")
        return value


class CitationPublic(BaseModel):
    n: int
    article_id: str
    title: str
    outlet: str | None
    published: str | None
    url: str | None
    quote: str
    start: int
    end: int
    supported: bool

    @classmethod
    def of(cls, c: Citation) -> CitationPublic:
        a = c.article
        return cls(
            n=c.n,
            article_id=a.id,
            title=a.title,
            outlet=a.outlet,
            published=a.published,
            url=a.url,
            quote=c.quote,
            start=c.start,
            end=c.end,
            supported=c.supported,
        )


class ClaimPublic(BaseModel):
    """A claim as answers show it: who, through which words, what, relayed by whom."""

    claimant: str
    cue: str
    content: str
    citation: int | None = None
    reported_by: list[str]
    mention: str | None = None
    article_id: str
    published: str | None = None
    kind: str

    @classmethod
    def fields(cls, c: Claim) -> dict[str, Any]:
        return {
            "claimant": c.claimant,
            "cue": c.cue.text,
            "content": c.content.text,
            "reported_by": list(c.reported_by),
            "mention": c.claimant_mention.text if c.claimant_mention else None,
            "article_id": c.article_id,
            "published": c.published,
            "kind": c.kind,
        }

    @classmethod
    def of(cls, use: ClaimUse) -> ClaimPublic:
        return cls(**cls.fields(use.claim), citation=use.citation)


class PositionPublic(BaseModel):
    claimant: str
    value: str
    citation: int | None
    published: str | None = None
    quote: str | None = None


class ConflictPublic(BaseModel):
    about: str
    kind: str
    positions: list[PositionPublic]
    note: str | None = None

    @classmethod
    def of(cls, c: Conflict) -> ConflictPublic:
        return cls(
            about=c.about,
            kind=c.kind,
            note=c.note,
            positions=[
                PositionPublic(
                    claimant=p.claimant,
                    value=p.value,
                    citation=p.citation,
                    published=p.published,
                    quote=p.quote,
                )
                for p in c.positions
            ],
        )


class AnswerPublic(BaseModel):
    answer: str
    citations: list[CitationPublic]
    claims: list[ClaimPublic]
    conflicts: list[ConflictPublic]
    generator: str
    warnings: list[str]

    @classmethod
    def of(cls, result: AskResult) -> AnswerPublic:
        a = result.answer
        return cls(
            answer=a.text,
            citations=[CitationPublic.of(c) for c in a.citations],
            claims=[ClaimPublic.of(u) for u in a.claims],
            conflicts=[ConflictPublic.of(c) for c in result.conflicts],
            generator=a.generator,
            warnings=a.warnings,
        )


class ClaimRecord(ClaimPublic):
    """A claim of the ledger, with where it stands in its article."""

    id: int | None
    sentence: int
    start: int
    end: int

    @classmethod
    def record(cls, c: Claim) -> ClaimRecord:
        return cls(
            **cls.fields(c),
            id=c.id,
            sentence=c.sentence_idx,
            start=c.content.start,
            end=c.content.end,
        )


class ClaimsQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    claimant: str | None = Field(None, description="part of the claimant's name or mention")
    q: str | None = Field(None, description="words in the claim's content")
    article_id: str | None = None
    offset: int = Field(0, ge=0, le=MAX_OFFSET)
    limit: int = Field(100, ge=1, le=1000)


class ClaimPage(BaseModel):
    offset: int
    limit: int
    items: list[ClaimRecord]


class ArticleSummary(BaseModel):
    id: str
    title: str
    outlet: str | None
    published: str | None
    url: str | None
    chars: int

    @classmethod
    def of(cls, a: Article) -> ArticleSummary:
        return cls(
            id=a.id,
            title=a.title,
            outlet=a.outlet,
            published=a.published,
            url=a.url,
            chars=len(a.text),
        )


class ArticlePublic(ArticleSummary):
    text: str
    metadata: dict[str, object]

    @classmethod
    def full(cls, a: Article) -> ArticlePublic:
        return cls(**ArticleSummary.of(a).model_dump(), text=a.text, metadata=a.metadata)


class ArticlePage(BaseModel):
    total: int
    offset: int
    limit: int
    items: list[ArticleSummary]


class SearchHit(BaseModel):
    rank: int
    score: float
    article_id: str
    title: str
    outlet: str | None
    published: str | None
    start: int
    end: int
    text: str


class SearchResults(BaseModel):
    query: str
    hits: list[SearchHit]


class Liveness(BaseModel):
    status: Literal["alive"] = "alive"


class Health(BaseModel):
    status: Literal["ok", "starting", "no_index", "damaged"]
    index_loaded: bool
    index_version: str | None
    counts: dict[str, int]
    embedding_model: str
    embedding_dim: int | None
    spacy_model: str | None
    generator: str
    llm_model: str | None
    message: str | None = None


# The OpenAI-compatible chat API (/v1): only the fields this service reads or writes.


class ChatMessage(BaseModel):
    # Front-ends send more (name, tool calls): accepted and ignored.
    model_config = ConfigDict(extra="allow")

    role: str
    content: str | list[dict[str, Any]] | None = None

    @field_validator("content")
    @classmethod
    def _content(
        cls, value: str | list[dict[str, Any]] | None
    ) -> str | list[dict[str, Any]] | None:
        texts = [value] if isinstance(value, str) else [str(p.get("text", "")) for p in value or ()]
        for text in texts:
            valid_text(text)
        limit = get_settings().max_message_chars
        if sum(map(len, texts)) > limit:
            raise ValueError(
                f"a message is over {limit} characters (ACCORDINGTO_MAX_MESSAGE_CHARS): shorten it"
            )
        return value

    def text(self) -> str:
        """The message's text, with the text parts of a multi-part message joined."""
        if isinstance(self.content, list):
            return " ".join(str(p.get("text", "")) for p in self.content if p.get("type") == "text")
        return self.content or ""


class StreamOptions(BaseModel):
    model_config = ConfigDict(extra="allow")

    include_usage: bool = False


class ChatRequest(BaseModel):
    """An OpenAI chat completion request; sampling options (temperature, ...) are ignored."""

    model_config = ConfigDict(extra="allow")

    model: str = Field(
        "accordingto",
        description="'accordingto-llm' or 'accordingto-extractive' choose the generator; "
        "any other name uses the configured one",
    )
    messages: list[ChatMessage] = Field(min_length=1)
    stream: bool = False
    stream_options: StreamOptions | None = None
    n: int | None = Field(None, ge=1, description="choices wanted; only 1 is supported")
    max_tokens: int | None = Field(None, ge=1, description="the reply is cut after this many words")
    max_completion_tokens: int | None = Field(None, ge=1, description="the same as max_tokens")


class UrlCitation(BaseModel):
    url: str
    title: str
    start_index: int
    end_index: int


class Annotation(BaseModel):
    """OpenAI's url_citation annotation, which chat front-ends show as a source."""

    type: Literal["url_citation"] = "url_citation"
    url_citation: UrlCitation


class ChatReply(BaseModel):
    role: Literal["assistant"] = "assistant"
    content: str
    annotations: list[Annotation] = []


class ChatChoice(BaseModel):
    index: int = 0
    message: ChatReply
    finish_reason: Literal["stop", "length"] = "stop"
    logprobs: None = None


class Usage(BaseModel):
    """Word counts standing in for token counts: the service has no tokenizer."""

    prompt_tokens: int
    completion_tokens: int
    total_tokens: int


class ChatCompletionPublic(BaseModel):
    """A chat.completion, with the answer's citations, claims, conflicts and warnings added."""

    id: str
    object: Literal["chat.completion"] = "chat.completion"
    created: int
    model: str
    choices: list[ChatChoice]
    usage: Usage
    citations: list[CitationPublic] = []
    claims: list[ClaimPublic] = []
    conflicts: list[ConflictPublic] = []
    warnings: list[str] = []


class ModelPublic(BaseModel):
    id: str
    object: Literal["model"] = "model"
    created: int
    owned_by: str


class ModelList(BaseModel):
    object: Literal["list"] = "list"
    data: list[ModelPublic]
