"""The gold-question format (JSONL, one question per line) and its evidence resolution.

A line holds: `id`, `question`, `facts` (each a list of acceptable phrasings or `re:`
patterns), `claimants` (each a name or a list of acceptable names), `evidence` (each an
`{article_id, start, end}` span or a `{quote}` found in the articles), `unanswerable`,
and optionally `tags` and `filters` (the /ask filters).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Self

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

REGEX_PREFIX = "re:"


class GoldFormatError(Exception):
    """A gold file (or one of its lines) does not follow the format."""


class Evidence(BaseModel):
    """What must be cited: an article span, or a quote located in the articles."""

    model_config = ConfigDict(extra="forbid")

    article_id: str | None = None
    start: int | None = Field(None, ge=0)
    end: int | None = Field(None, ge=1)
    quote: str | None = Field(None, min_length=1)

    @model_validator(mode="after")
    def _span_or_quote(self) -> Self:
        span = (self.article_id, self.start, self.end)
        if self.quote is None and None in span:
            raise ValueError("evidence needs either a quote or all of article_id, start, end")
        if self.start is not None and self.end is not None and self.end <= self.start:
            raise ValueError(f"evidence end {self.end} must be after start {self.start}")
        return self


class GoldQuestion(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str = Field(min_length=1)
    question: str = Field(min_length=1)
    facts: list[list[str]] = Field(default_factory=list)
    claimants: list[list[str]] = Field(default_factory=list)
    evidence: list[Evidence] = Field(default_factory=list)
    unanswerable: bool = False
    tags: list[str] = Field(default_factory=list)
    filters: dict[str, str] | None = None

    @field_validator("facts", mode="before")
    @classmethod
    def _facts(cls, value: Any) -> Any:
        if isinstance(value, list):
            return [[v] if isinstance(v, str) else v for v in value]
        return value

    @field_validator("claimants", mode="before")
    @classmethod
    def _claimants(cls, value: Any) -> Any:
        return cls._facts(value)

    @field_validator("facts")
    @classmethod
    def _patterns_compile(cls, facts: list[list[str]]) -> list[list[str]]:
        for i, phrasings in enumerate(facts):
            if not phrasings or not all(p.strip() for p in phrasings):
                raise ValueError(f"fact {i} needs at least one non-empty phrasing")
            for p in phrasings:
                if p.startswith(REGEX_PREFIX):
                    try:
                        re.compile(p[len(REGEX_PREFIX) :])
                    except re.error as exc:
                        raise ValueError(f"fact {i}: bad pattern {p!r}: {exc}") from None
        return facts

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if self.unanswerable and (self.facts or self.evidence or self.claimants):
            raise ValueError("an unanswerable question has no facts, claimants or evidence")
        return self


def load_gold(path: Path) -> list[GoldQuestion]:
    """The questions of a gold JSONL file; errors name the line and what to fix."""
    questions: list[GoldQuestion] = []
    seen: dict[str, int] = {}
    for n, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        q = parse_line(line, f"{path}:{n}")
        if q.id in seen:
            raise GoldFormatError(f"{path}:{n}: id '{q.id}' already used on line {seen[q.id]}")
        seen[q.id] = n
        questions.append(q)
    if not questions:
        raise GoldFormatError(f"{path} holds no questions: write one JSON object per line")
    return questions


def parse_line(line: str, where: str) -> GoldQuestion:
    """One gold question from its JSON line; `where` prefixes any error ("file:line")."""
    try:
        return GoldQuestion.model_validate_json(line)
    except ValidationError as exc:
        problems = "; ".join(_problem(e) for e in exc.errors())
        raise GoldFormatError(f"{where}: {problems}") from None


def _problem(error: Mapping[str, Any]) -> str:
    loc = ".".join(str(part) for part in error["loc"])
    msg = str(error["msg"]).removeprefix("Value error, ")
    return f"{loc}: {msg}" if loc else msg


def write_gold(path: Path, questions: Iterable[GoldQuestion]) -> None:
    """Write `questions` as JSONL (defaults left out, so the lines stay short)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = (json.dumps(q.model_dump(exclude_defaults=True), ensure_ascii=False) for q in questions)
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")


@dataclass(frozen=True)
class Span:
    article_id: str
    start: int
    end: int

    def overlaps(self, other: Span) -> bool:
        return (
            self.article_id == other.article_id
            and self.start < other.end
            and other.start < self.end
        )


# One gold evidence item: satisfied by any of its spans (a quote may occur in several
# articles, e.g. a wire story reprinted).
EvidenceSpans = list[Span]


def resolve_evidence(question: GoldQuestion, texts: Mapping[str, str]) -> list[EvidenceSpans]:
    """Each evidence item of `question` as spans of the articles in `texts` (id -> text)."""
    resolved: list[EvidenceSpans] = []
    for i, ev in enumerate(question.evidence):
        if ev.quote is None:
            assert ev.article_id is not None and ev.start is not None and ev.end is not None
            spans = [Span(ev.article_id, ev.start, ev.end)]
        else:
            spans = _find_quote(ev.quote, texts, ev.article_id)
        if not spans:
            raise GoldFormatError(
                f"question '{question.id}', evidence {i}: the quote {ev.quote!r} is not in any "
                "indexed article; copy it exactly from the article text"
            )
        resolved.append(spans)
    return resolved


def _find_quote(quote: str, texts: Mapping[str, str], article_id: str | None) -> list[Span]:
    ids: Sequence[str] = [article_id] if article_id is not None else sorted(texts)
    spans = []
    for aid in ids:
        at = texts.get(aid, "").find(quote)
        if at >= 0:
            spans.append(Span(aid, at, at + len(quote)))
    return spans
