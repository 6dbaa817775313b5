"""The question-answering service: the current index, retrieval, generation, checks.

Routes, the CLI and the in-process evaluation runner all go through `Service`.
"""

from __future__ import annotations

import contextlib
import threading
import weakref
from dataclasses import dataclass, field, replace
from pathlib import Path

from app import facts
from app.citations import verify_answer
from app.conflicts import Conflict, ConflictFinder, renumber
from app.errors import BadRequestError
from app.generate.base import Answer, Generator, Passage
from app.generate.extractive import ExtractiveGenerator
from app.observability import record_answer
from app.retrieve import Retriever, claims_named
from app.settings import Settings, embedder_for
from app.vectors import VectorCache
from indexer.embed import Embedder
from indexer.errors import IndexerError, IndexNotFoundError
from indexer.index import Index, current_version
from indexer.models import Claim
from indexer.sentence_parses import remember as remember_parses
from indexer.store import ArticleFilter


@dataclass(frozen=True)
class Prepared:
    question: str
    generator: Generator
    passages: list[Passage]
    warnings: list[str]


@dataclass
class AskResult:
    answer: Answer
    passages: list[Passage]
    conflicts: list[Conflict] = field(default_factory=list)


class Service:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._index: Index | None = None
        self._version: Path | None = None
        self._lock = threading.Lock()
        self._vectors: VectorCache | None = None

    @property
    def embedder(self) -> Embedder:
        return embedder_for(self.settings)

    @property
    def vectors(self) -> VectorCache:
        """The embedder behind the cache every answer reads its vectors from."""
        with self._lock:
            if self._vectors is None:
                self._vectors = VectorCache(self.embedder)
            return self._vectors

    def index(self) -> Index:
        """The current index version, reopened when a build has swapped in a new one."""
        version = current_version(self.settings.index_dir)
        if version is None:
            raise IndexNotFoundError(str(self.settings.index_dir))
        with self._lock:
            if self._index is None or version != self._version:
                fresh = Index.open(self.settings.index_dir, self.settings.embedding_model)
                if self._index is not None:
                    # Closed once the last request using it lets it go: its files may be
                    # deleted already, and an open SQLite handle reads them until then.
                    weakref.finalize(self._index, self._index.store.close)
                self._index, self._version = fresh, fresh.directory
            return self._index

    def warm(self) -> None:
        """Load the models and answer once, so the first user's question is not the one
        that waits for them; without an index, the embedder alone is loaded."""
        self.embedder.embed(["warm-up"])
        # dateparser loads its language data on its first search (about a second).
        facts.dates("on Feb. 14")
        # No index (or a damaged one) yet is no reason not to start: /health says so.
        with contextlib.suppress(IndexerError):
            self.ask("Who said what?", generator="extractive")

    def retriever(self) -> Retriever:
        return Retriever(self.index(), self.vectors)

    def extractive(self) -> ExtractiveGenerator:
        s = self.settings
        return ExtractiveGenerator(self.vectors, s.min_answer_similarity, s.max_answer_sentences)

    def generator(self, name: str | None) -> tuple[Generator, list[str]]:
        """The generator asked for (or configured), and warnings about the choice."""
        name = name or self.settings.generator
        if name == "extractive":
            return self.extractive(), []
        if name != "llm":
            raise BadRequestError(f"Unknown generator '{name}': use 'extractive' or 'llm'.")
        if not self.settings.llm_configured:
            return self.extractive(), [
                "No LLM is configured (set OPENAI_BASE_URL and OPENAI_API_KEY, and "
                "ACCORDINGTO_LLM_MODEL); the extractive answer is shown instead."
            ]
        from app.generate.llm import LLMGenerator

        return LLMGenerator(self.settings, fallback=self.extractive()), []

    def claims(
        self,
        claimant: str | None = None,
        q: str | None = None,
        article_id: str | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> list[Claim]:
        """The claim ledger, filtered by claimant name or mention, content words, article."""
        store = self.index().store
        if claimant:
            return claims_named(store, claimant, article_id, q, limit, offset)
        return store.claims(article_id=article_id, q=q, limit=limit, offset=offset)

    def prepare(
        self,
        question: str,
        top_k: int | None = None,
        flt: ArticleFilter | None = None,
        generator: str | None = None,
    ) -> Prepared:
        """Choose the generator and retrieve the passages: everything before generation."""
        gen, warnings = self.generator(generator)
        retriever = self.retriever()
        passages = retriever.passages(question, top_k or self.settings.default_top_k, flt)
        # Generation, conflicts and verification read the vectors of the passages' sentences
        # and claim contents, and the sentences' parses, that indexing stored, from the
        # version the passages came from (whatever swapped in since).
        index = retriever.index
        vectors = self.vectors
        sentences = {s.id: s.text for p in passages for s in p.sentences if s.id is not None}
        claims = {c.id: c for p in passages for c in p.claims if c.id is not None}
        vectors.add(list(sentences.values()), index.sentence_vectors.get(list(sentences)))
        vectors.add([c.said for c in claims.values()], index.claim_vectors.get(list(claims)))
        remember_parses(list(sentences.values()), index.sentence_parses.get(list(sentences)))
        # Contents that run past their sentence have a parse of their own (the others are
        # spans of their sentence's).
        blobs = index.claim_parses.get(list(claims))
        own = [(c.content.text, b) for c, b in zip(claims.values(), blobs, strict=True) if b]
        remember_parses([text for text, _ in own], [blob for _, blob in own])
        vectors.read_from(index.phrase_vectors)
        return Prepared(question, gen, passages, warnings)

    def finish(self, prepared: Prepared, answer: Answer) -> AskResult:
        """Lay conflicts side by side and verify every citation: everything after generation."""
        conflicts, answer = ConflictFinder(self.vectors).find(
            answer, prepared.passages, prepared.question
        )
        answer = verify_answer(
            answer,
            prepared.passages,
            self.index().store,
            self.vectors,
            self.settings,
            prepared.question,
        )
        if prepared.warnings:
            answer = replace(answer, warnings=prepared.warnings + answer.warnings)
        record_answer(prepared.generator.name, answer)
        return AskResult(answer, prepared.passages, renumber(conflicts, answer))

    def ask(
        self,
        question: str,
        top_k: int | None = None,
        flt: ArticleFilter | None = None,
        generator: str | None = None,
    ) -> AskResult:
        prepared = self.prepare(question, top_k, flt, generator)
        return self.finish(prepared, prepared.generator.generate(question, prepared.passages))
