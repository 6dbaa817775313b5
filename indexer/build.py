"""The indexing pipeline: articles -> sentences, chunks, claims, embeddings -> a new version.

Articles already indexed with the same content are left alone; a changed article (same
id, or same source file) replaces its old version; nothing is written when nothing changed.
"""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from spacy.tokens import Doc
from tqdm import tqdm

from indexer.embed import Embedder
from indexer.errors import EmbeddingModelMismatchError, IndexerError
from indexer.index import (
    FORMAT_VERSION,
    STORE,
    Manifest,
    current_version,
    new_staging_dir,
    publish,
    writer_lock,
)
from indexer.lexical import write_lexical
from indexer.models import Article, Chunk, Claim, Sentence
from indexer.sentence_parses import (
    CLAIM_PARSES,
    SENTENCE_PARSES,
    span_doc,
    to_bytes,
    write_parses,
)
from indexer.span_vectors import (
    CLAIMS,
    SENTENCES,
    claim_phrases,
    stored_rows,
    write_phrase_vectors,
    write_span_vectors,
)
from indexer.split import SPACY_MODEL, load_pipeline
from indexer.store import Store
from indexer.vectors import VectorConfig, release, same_backend, writable_copy


@dataclass(frozen=True)
class BuildOptions:
    chunk_max_chars: int = 600
    chunk_overlap: int = 1
    rebuild: bool = False  # start from an empty index instead of the current one
    progress: bool = False
    # "model": the learned attribution tagger (over the rules' output); "rules": the rules.
    claim_extractor: str = "model"
    batch_articles: int = 32  # articles parsed, encoded and tagged together
    vectors: VectorConfig = field(default_factory=VectorConfig)
    # Parse and embed on Ray: "local" starts a local Ray, an address joins a cluster.
    ray: str | None = None


@dataclass
class BuildReport:
    added: list[str] = field(default_factory=list)
    replaced: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    version: Path | None = None  # None when nothing changed
    counts: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class _Prepared:
    article: Article
    sentences: list[Sentence]
    chunks: list[Chunk]
    claims: list[Claim]
    vectors: np.ndarray
    sentence_vectors: np.ndarray  # one row per sentence, embedded on its own
    claim_vectors: np.ndarray  # one row per claim: what it says, embedded on its own
    sentence_parses: list[bytes]  # one per sentence, parsed on its own
    claim_parses: list[bytes]  # one per claim: its content's, if not a span of its sentence
    phrases: dict[str, np.ndarray]  # its claims' cues, lead-ins and nouns: span_vectors.py


def update_index(
    index_dir: Path,
    embedder: Embedder,
    articles: Sequence[Article] = (),
    remove: Sequence[str] = (),
    options: BuildOptions = BuildOptions(),
) -> BuildReport:
    """Add or replace `articles` and delete the `remove` ids, publishing a new version."""
    report = BuildReport()
    with writer_lock(index_dir):
        previous = None if options.rebuild else current_version(index_dir)
        existing: dict[str, tuple[str, str]] = {}
        moving = False  # to another vector store: a new version even with no article change
        if previous is not None:
            old = Manifest.read(previous)
            moving = not same_backend(old.vectors, options.vectors, index_dir)
            if old.embedding_model != embedder.name:
                raise EmbeddingModelMismatchError(old.embedding_model, embedder.name)
            reader = Store(previous / STORE, readonly=True)
            existing = reader.article_hashes()
            report.counts = reader.counts()
            reader.close()
        todo, stale = _plan(existing, articles, remove, report, index_dir)
        if not todo and not stale and previous is not None and not moving:
            return report
        if options.ray is not None:
            from indexer.distributed import prepare_with_ray

            prepared = prepare_with_ray(todo, embedder, options, options.ray)
        else:
            prepared = _prepare(todo, embedder, options)
        staging = new_staging_dir(index_dir)
        store = _open_copy(previous, staging)
        try:
            with store.db:
                store.delete_articles(sorted(stale))
                for item in prepared:
                    store.add_article(
                        item.article, item.sentences, item.chunks, item.vectors, item.claims
                    )
            vector_params = _write_search_indexes(
                store, previous, staging, index_dir, embedder.dim, options.vectors
            )
            write_span_parts(store, staging, prepared, previous, embedder.dim)
            report.counts = store.counts()
            Manifest(
                format_version=FORMAT_VERSION,
                embedding_model=embedder.name,
                embedding_dim=embedder.dim,
                built_at=_now(),
                counts=report.counts,
                chunking={"max_chars": options.chunk_max_chars, "overlap": options.chunk_overlap},
                spacy_model=SPACY_MODEL,
                vectors=vector_params,
            ).write(staging)
        finally:
            store.close()
        report.version = publish(index_dir, staging)
        release(index_dir, vector_params)
    return report


def write_span_parts(
    store: Store,
    staging: Path,
    prepared: Sequence[_Prepared],
    previous: Path | None,
    dim: int,
) -> None:
    """Every sentence's and claim's vector and parse, and the claims' phrase vectors, into
    `staging`: the prepared articles' from them, the others' from the previous version."""
    by_article = [(item.article.id, item) for item in prepared]
    for kind, parse_files, vectors, parses in (
        (
            SENTENCES,
            SENTENCE_PARSES,
            {a: item.sentence_vectors for a, item in by_article},
            {a: item.sentence_parses for a, item in by_article},
        ),
        (
            CLAIMS,
            CLAIM_PARSES,
            {a: item.claim_vectors for a, item in by_article},
            {a: item.claim_parses for a, item in by_article},
        ),
    ):
        rows = stored_rows(store, kind.table)  # one query serves both files
        write_span_vectors(rows, staging, kind, vectors, previous)
        write_parses(rows, staging, parses, previous, parse_files)
    phrases = {t: v for item in prepared for t, v in item.phrases.items()}
    write_phrase_vectors(staging, phrases, previous, dim)


def _plan(
    existing: dict[str, tuple[str, str]],
    articles: Sequence[Article],
    remove: Sequence[str],
    report: BuildReport,
    index_dir: Path,
) -> tuple[list[Article], set[str]]:
    """Which articles need (re)indexing, and which stored ids must go; fills the report."""
    unknown = [aid for aid in remove if aid not in existing]
    if unknown:
        raise IndexerError(
            f"No article with id {', '.join(unknown)} in {index_dir}; "
            "list ids with: curl localhost:8000/articles"
        )
    by_source = {source: aid for aid, (_, source) in existing.items()}
    stale: set[str] = set(remove)
    todo: list[Article] = []
    for article in _dedupe(articles):
        known = existing.get(article.id)
        if known is not None and known[0] == article.content_hash:
            report.unchanged.append(article.id)
            continue
        older = by_source.get(article.source) if article.source else None
        if older is not None and older != article.id:
            stale.add(older)  # the same file, edited: its old version goes
        if known is not None or older is not None:
            report.replaced.append(article.id)
        else:
            report.added.append(article.id)
        todo.append(article)
    report.removed = sorted(set(remove))
    return todo, stale


def _open_copy(previous: Path | None, staging: Path) -> Store:
    """A writable store in `staging`, starting as a copy of the previous version's."""
    target = staging / STORE
    if previous is not None:
        # A byte copy (copy_file_range where the file system has it) is several times
        # faster than SQLite's page-by-page backup, and safe: the writer lock is held and
        # a published version is never written again.
        shutil.copyfile(previous / STORE, target)
    return Store(target)


def _dedupe(articles: Sequence[Article]) -> list[Article]:
    """The last article given for each id wins (a later file overrides an earlier one)."""
    return list({a.id: a for a in articles}.values())


def _prepare(articles: list[Article], embedder: Embedder, options: BuildOptions) -> list[_Prepared]:
    """Parse, split, encode and extract claims, a batch of articles at a time: one encoder
    pass per chunk gives both its vector and the token states the attribution tagger
    reads, and the batch bounds how many states are held at once."""
    from indexer.attribution.extract import (
        EXTRACTORS,
        load_tagger,
        prepare,
        rule_claims,
        tagged_claims,
    )

    if options.claim_extractor not in EXTRACTORS:
        raise IndexerError(
            f"Unknown claim extractor '{options.claim_extractor}': use 'model' or 'rules'."
        )
    tagger = load_tagger() if options.claim_extractor == "model" else None
    if tagger is not None and tagger.meta.get("base_model") not in (embedder.name, None):
        raise IndexerError(
            f"The attribution tagger reads {tagger.meta['base_model']} states, but the index "
            f"embeds with {embedder.name}: set ACCORDINGTO_CLAIM_EXTRACTOR=rules, or train a "
            "tagger on that model."
        )
    nlp = load_pipeline()
    out: list[_Prepared] = []
    phrases: dict[str, np.ndarray] = {}  # each distinct phrase embedded once per build
    docs = nlp.pipe((a.text for a in articles), batch_size=16)
    bar = tqdm(total=len(articles), desc="indexing", unit="article", disable=not options.progress)
    for start in range(0, len(articles), options.batch_articles):
        batch = articles[start : start + options.batch_articles]
        items, per_article = prepare(
            zip(batch, docs, strict=False),
            embedder,
            options.chunk_max_chars,
            options.chunk_overlap,
            tagger.config.encoder_layers if tagger is not None else (-1,),
        )
        claims = (
            tagged_claims(tagger, items, per_article)
            if tagger is not None
            else [rule_claims(p) for p in items]
        )
        # Sentences and what claims say are embedded on their own (as question-time text
        # is), once each, though overlapping chunks share sentences: indexer/span_vectors.py.
        sentence_vectors = _split(
            embedder.embed([s.text for p in items for s in p.sentences]),
            [len(p.sentences) for p in items],
        )
        claim_vectors = _split(
            embedder.embed([c.said for found in claims for c in found]),
            [len(found) for found in claims],
        )
        # Each sentence parsed on its own too, as question-time code parses it.
        alone = list(nlp.pipe((s.text for p in items for s in p.sentences), batch_size=64))
        parses = iter(to_bytes(alone))
        said, claim_parses = _phrases(items, claims, alone, embedder, phrases)
        for p, states, found, own, contents, spoken, found_parses in zip(
            items,
            per_article,
            claims,
            sentence_vectors,
            claim_vectors,
            said,
            claim_parses,
            strict=True,
        ):
            vectors = (
                np.stack([s.vector for s in states])
                if states
                else np.zeros((0, embedder.dim), dtype=np.float32)
            )
            blobs = [next(parses) for _ in p.sentences]
            out.append(
                _Prepared(
                    p.article,
                    p.sentences,
                    p.chunks,
                    found,
                    vectors,
                    own,
                    contents,
                    blobs,
                    found_parses,
                    {t: phrases[t] for t in spoken},
                )
            )
        bar.update(len(batch))
    bar.close()
    return out


def _phrases(
    items: Sequence[Any],
    claims: Sequence[Sequence[Claim]],
    alone: Sequence[Doc],
    embedder: Embedder,
    known: dict[str, np.ndarray],
) -> tuple[list[list[str]], list[list[bytes]]]:
    """Each article's claim phrases (`span_vectors.claim_phrases`), with those not in
    `known` embedded into it; and each claim's own parse. A content is read as a span of
    its sentence's own parse, as question time reads it (no parse of its own stored:
    b""), or, where it is no such span (it runs past its sentence), parsed and stored."""
    docs = iter(alone)
    located: list[list[tuple[Claim, Sentence | None, Doc | None]]] = []
    for p, found in zip(items, claims, strict=True):
        sentences = {s.idx: (s, next(docs)) for s in p.sentences}
        located.append([])
        for c in found:
            sentence, doc = sentences.get(c.sentence_idx, (None, None))
            span = None
            if sentence is not None and doc is not None:
                start, end = c.content.start - sentence.start, c.content.end - sentence.start
                if 0 <= start < end <= len(sentence.text):
                    span = span_doc(doc, start, end)
            located[-1].append((c, sentence, span))
    own = [c.content.text for locs in located for c, _, span in locs if span is None]
    parsed = iter(list(load_pipeline().pipe(own, batch_size=64)))
    texts: list[list[str]] = []
    blobs: list[list[bytes]] = []
    for locs in located:
        texts.append([])
        blobs.append([])
        for c, sentence, span in locs:
            content = span if span is not None else next(parsed)
            blobs[-1].append(b"" if span is not None else to_bytes([content])[0])
            if sentence is not None:
                texts[-1] += claim_phrases(c, sentence, content)
    texts = [list(dict.fromkeys(found)) for found in texts]
    todo = [t for t in dict.fromkeys(t for found in texts for t in found) if t not in known]
    known.update(zip(todo, embedder.embed(todo), strict=True))
    return texts, blobs


def _split(rows: np.ndarray, sizes: list[int]) -> list[np.ndarray]:
    """`rows` cut into consecutive parts of `sizes` rows."""
    return np.split(rows, np.cumsum(sizes)[:-1]) if sizes else []


def _write_search_indexes(
    store: Store,
    previous: Path | None,
    staging: Path,
    index_dir: Path,
    dim: int,
    config: VectorConfig,
) -> dict[str, Any]:
    """Write the vector and BM25 indexes of `store` into `staging`; the vectors' manifest entry.

    Both start from the previous version's and take only the change: the chunks deleted
    since, and the chunks added (ids above the previous version's last one).
    """
    gone, after = np.empty(0, dtype=np.int64), 0
    old = None
    if previous is not None:
        gone, after = store.changes_since(previous / STORE)
        old = Store(previous / STORE, readonly=True)
    try:
        params = Manifest.read(previous).vectors if previous is not None else None
        vectors, carried = writable_copy(previous, params, config, index_dir, dim)
        if carried:
            vectors.remove(gone)
        for rows in store.chunk_rows(after if carried else 0):
            vectors.add(rows)
        write_lexical(staging, store, previous, old, gone)
    finally:
        if old is not None:
            old.close()
    return vectors.save(staging)


def _now() -> str:
    from datetime import UTC, datetime

    return datetime.now(UTC).isoformat(timespec="seconds")
