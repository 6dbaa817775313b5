"""The SQLite part of an index: articles, sentences, chunks (with their embeddings) and claims.

Sentence and chunk texts are not stored: they are slices of the article text, which
keeps every quote equal to `article.text[start:end]` by construction.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from indexer.embed import Vectors
from indexer.models import Article, Chunk, Claim, Sentence, Span
from indexer.vectors.base import ChunkRows

SCHEMA = """
PRAGMA foreign_keys = ON;
CREATE TABLE IF NOT EXISTS articles (
    id TEXT PRIMARY KEY,
    title TEXT NOT NULL,
    outlet TEXT,
    published TEXT,
    url TEXT,
    text TEXT NOT NULL,
    source TEXT NOT NULL,
    metadata TEXT NOT NULL DEFAULT '{}',
    content_hash TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS articles_source ON articles(source);
CREATE TABLE IF NOT EXISTS sentences (
    article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    idx INTEGER NOT NULL,
    start INTEGER NOT NULL,
    end INTEGER NOT NULL,
    PRIMARY KEY (article_id, idx)
);
CREATE TABLE IF NOT EXISTS chunks (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    idx INTEGER NOT NULL,
    start INTEGER NOT NULL,
    end INTEGER NOT NULL,
    first_sentence INTEGER NOT NULL,
    last_sentence INTEGER NOT NULL,
    embedding BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS chunks_article ON chunks(article_id);
CREATE TABLE IF NOT EXISTS claims (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    sentence_idx INTEGER NOT NULL,
    claimant TEXT NOT NULL,
    mention_start INTEGER,
    mention_end INTEGER,
    cue_start INTEGER NOT NULL,
    cue_end INTEGER NOT NULL,
    content_start INTEGER NOT NULL,
    content_end INTEGER NOT NULL,
    kind TEXT NOT NULL,
    reported_by TEXT NOT NULL DEFAULT '[]',
    published TEXT
);
CREATE INDEX IF NOT EXISTS claims_article ON claims(article_id);
"""


@dataclass(frozen=True)
class ArticleFilter:
    """Restricts retrieval; every field is optional and they combine with AND."""

    outlet: str | None = None
    published_from: str | None = None  # ISO date, inclusive
    published_to: str | None = None  # ISO date, inclusive
    article_id: str | None = None

    def is_empty(self) -> bool:
        return not (self.outlet or self.published_from or self.published_to or self.article_id)


class Store:
    """A connection to one index's SQLite file."""

    def __init__(self, path: Path, readonly: bool = False) -> None:
        self.path = path
        if readonly:
            self.db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
        else:
            self.db = sqlite3.connect(path)
            self.db.executescript(SCHEMA)
        self.db.execute("PRAGMA foreign_keys = ON")

    def close(self) -> None:
        self.db.close()

    # ---- writing -------------------------------------------------------------------

    def article_hashes(self) -> dict[str, tuple[str, str]]:
        """id -> (content_hash, source) of every stored article."""
        rows = self.db.execute("SELECT id, content_hash, source FROM articles")
        return {r[0]: (r[1], r[2]) for r in rows}

    def delete_articles(self, ids: Iterable[str]) -> int:
        cur = self.db.executemany("DELETE FROM articles WHERE id = ?", [(i,) for i in ids])
        return cur.rowcount

    def add_article(
        self,
        article: Article,
        sentences: Sequence[Sentence],
        chunks: Sequence[Chunk],
        embeddings: Vectors,
        claims: Sequence[Claim],
    ) -> None:
        self.db.execute("DELETE FROM articles WHERE id = ?", (article.id,))
        self.db.execute(
            "INSERT INTO articles (id, title, outlet, published, url, text, source, metadata,"
            " content_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                article.id,
                article.title,
                article.outlet,
                article.published,
                article.url,
                article.text,
                article.source,
                json.dumps(article.metadata, ensure_ascii=False, default=str),
                article.content_hash,
            ),
        )
        self.db.executemany(
            "INSERT INTO sentences (article_id, idx, start, end) VALUES (?, ?, ?, ?)",
            [(article.id, s.idx, s.start, s.end) for s in sentences],
        )
        self.db.executemany(
            "INSERT INTO chunks (article_id, idx, start, end, first_sentence, last_sentence,"
            " embedding) VALUES (?, ?, ?, ?, ?, ?, ?)",
            [
                (article.id, c.idx, c.start, c.end, c.first_sentence, c.last_sentence, v.tobytes())
                for c, v in zip(chunks, embeddings, strict=True)
            ],
        )
        self.db.executemany(
            "INSERT INTO claims (article_id, sentence_idx, claimant, mention_start, mention_end,"
            " cue_start, cue_end, content_start, content_end, kind, reported_by, published)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    article.id,
                    c.sentence_idx,
                    c.claimant,
                    c.claimant_mention.start if c.claimant_mention else None,
                    c.claimant_mention.end if c.claimant_mention else None,
                    c.cue.start,
                    c.cue.end,
                    c.content.start,
                    c.content.end,
                    c.kind,
                    json.dumps(list(c.reported_by), ensure_ascii=False),
                    c.published,
                )
                for c in claims
            ],
        )

    def chunk_rows(self, after: int = 0, batch: int = 20_000) -> Iterator[ChunkRows]:
        """Chunks with id > `after` (their vectors and article fields), in id order."""
        cur = self.db.execute(
            "SELECT c.id, c.embedding, c.article_id, a.outlet, a.published FROM chunks c"
            " JOIN articles a ON a.id = c.article_id WHERE c.id > ? ORDER BY c.id",
            (after,),
        )
        while rows := cur.fetchmany(batch):
            blob = b"".join(r[1] for r in rows)
            yield ChunkRows(
                ids=np.array([r[0] for r in rows], dtype=np.int64),
                vectors=np.frombuffer(blob, dtype=np.float32).reshape(len(rows), -1),
                article_ids=[r[2] for r in rows],
                outlets=[r[3] for r in rows],
                published=[r[4] for r in rows],
            )

    def changes_since(self, previous: Path) -> tuple[np.ndarray[Any, np.dtype[np.int64]], int]:
        """(ids of the chunks `previous` held and this store no longer does, its last id).

        Chunk ids are AUTOINCREMENT, never reused: every chunk added since has a larger id.
        """
        self.db.execute("ATTACH DATABASE ? AS prev", (str(previous),))
        try:
            gone = self.db.execute(
                "SELECT id FROM prev.chunks WHERE id NOT IN (SELECT id FROM main.chunks)"
            ).fetchall()
            last = self.db.execute("SELECT coalesce(max(id), 0) FROM prev.chunks").fetchone()[0]
        finally:
            self.db.execute("DETACH DATABASE prev")
        return np.array([r[0] for r in gone], dtype=np.int64), int(last)

    def chunk_texts(self, first: int = 0, last: int = 1 << 62) -> Iterator[tuple[int, str]]:
        """(chunk id, text) of the chunks with ids `first` to `last`, in id order."""
        rows = self.db.execute(
            "SELECT c.id, substr(a.text, c.start + 1, c.end - c.start) FROM chunks c"
            " JOIN articles a ON a.id = c.article_id WHERE c.id BETWEEN ? AND ? ORDER BY c.id",
            (first, last),
        )
        yield from rows

    def chunks_after(self, after: int) -> tuple[int, int]:
        """(how many chunks have an id above `after`, the largest id)."""
        row = self.db.execute(
            "SELECT count(*), coalesce(max(id), 0) FROM chunks WHERE id > ?", (after,)
        ).fetchone()
        return int(row[0]), int(row[1])

    def counts(self) -> dict[str, int]:
        return {
            table: int(self.db.execute(f"SELECT count(*) FROM {table}").fetchone()[0])
            for table in ("articles", "sentences", "chunks", "claims")
        }

    # ---- reading -------------------------------------------------------------------

    def article(self, article_id: str) -> Article | None:
        row = self.db.execute(
            "SELECT id, title, text, outlet, published, url, source, metadata FROM articles"
            " WHERE id = ?",
            (article_id,),
        ).fetchone()
        return _article(row) if row else None

    def articles(
        self, offset: int = 0, limit: int = 50, flt: ArticleFilter | None = None
    ) -> tuple[int, list[Article]]:
        """(total matching, one page of articles ordered by date then id)."""
        where, params = _where(flt or ArticleFilter())
        total = int(
            self.db.execute(f"SELECT count(*) FROM articles a {where}", params).fetchone()[0]
        )
        rows = self.db.execute(
            "SELECT id, title, text, outlet, published, url, source, metadata FROM articles a"
            f" {where} ORDER BY published DESC, id LIMIT ? OFFSET ?",
            [*params, limit, offset],
        ).fetchall()
        return total, [_article(r) for r in rows]

    def chunk_ids(self, flt: ArticleFilter) -> np.ndarray[Any, np.dtype[np.int64]]:
        where, params = _where(flt)
        rows = self.db.execute(
            f"SELECT c.id FROM chunks c JOIN articles a ON a.id = c.article_id {where}", params
        )
        return np.array([r[0] for r in rows], dtype=np.int64)

    def chunks(self, ids: Sequence[int]) -> dict[int, Chunk]:
        if not ids:
            return {}
        marks = ",".join("?" * len(ids))
        rows = self.db.execute(
            "SELECT c.id, c.article_id, c.idx, c.start, c.end,"
            " substr(a.text, c.start + 1, c.end - c.start), c.first_sentence, c.last_sentence"
            f" FROM chunks c JOIN articles a ON a.id = c.article_id WHERE c.id IN ({marks})",
            list(ids),
        )
        return {r[0]: Chunk(*r) for r in rows}

    def chunk_of_sentence(self, article_id: str, sentence_idx: int) -> int | None:
        """The first chunk holding a sentence."""
        row = self.db.execute(
            "SELECT id FROM chunks WHERE article_id = ? AND first_sentence <= ?"
            " AND last_sentence >= ? ORDER BY idx LIMIT 1",
            (article_id, sentence_idx, sentence_idx),
        ).fetchone()
        return int(row[0]) if row else None

    def sentences(self, article_id: str, first: int = 0, last: int = 1 << 30) -> list[Sentence]:
        rows = self.db.execute(
            "SELECT s.idx, s.start, s.end, substr(a.text, s.start + 1, s.end - s.start),"
            " s.rowid FROM sentences s JOIN articles a ON a.id = s.article_id"
            " WHERE s.article_id = ? AND s.idx BETWEEN ? AND ? ORDER BY s.idx",
            (article_id, first, last),
        )
        return [Sentence(article_id, *r) for r in rows]

    def claims(
        self,
        article_id: str | None = None,
        sentence_range: tuple[int, int] | None = None,
        claimant: str | None = None,
        q: str | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> list[Claim]:
        """Claims, optionally of one article (and sentence range), by claimant or content words."""
        conds: list[str] = []
        params: list[Any] = []
        if article_id is not None:
            conds.append("c.article_id = ?")
            params.append(article_id)
        if sentence_range is not None:
            conds.append("c.sentence_idx BETWEEN ? AND ?")
            params.extend(sentence_range)
        if claimant:
            conds.append(
                "(c.claimant LIKE ? OR substr(a.text, c.mention_start + 1,"
                " c.mention_end - c.mention_start) LIKE ?)"
            )
            params.extend([f"%{claimant}%"] * 2)
        if q:
            conds.append(
                "substr(a.text, c.content_start + 1, c.content_end - c.content_start) LIKE ?"
            )
            params.append(f"%{q}%")
        where = f"WHERE {' AND '.join(conds)}" if conds else ""
        rows = self.db.execute(
            "SELECT c.id, c.article_id, c.sentence_idx, c.claimant, c.mention_start,"
            " c.mention_end, c.cue_start, c.cue_end, c.content_start, c.content_end, c.kind,"
            " c.reported_by, c.published, a.text FROM claims c"
            f" JOIN articles a ON a.id = c.article_id {where}"
            " ORDER BY c.article_id, c.content_start LIMIT ? OFFSET ?",
            [*params, limit, offset],
        )
        return [_claim(r) for r in rows]


def _span(text: str, start: int | None, end: int | None) -> Span | None:
    if start is None or end is None:
        return None
    return Span(start, end, text[start:end])


def _claim(r: Sequence[Any]) -> Claim:
    text = r[13]
    mention = _span(text, r[4], r[5])
    cue = _span(text, r[6], r[7])
    content = _span(text, r[8], r[9])
    assert cue is not None and content is not None
    return Claim(
        article_id=r[1],
        sentence_idx=r[2],
        claimant=r[3],
        claimant_mention=mention,
        cue=cue,
        content=content,
        kind=r[10],
        reported_by=tuple(json.loads(r[11])),
        published=r[12],
        id=r[0],
    )


def _article(r: Sequence[Any]) -> Article:
    return Article(
        id=r[0],
        title=r[1],
        text=r[2],
        outlet=r[3],
        published=r[4],
        url=r[5],
        source=r[6],
        metadata=json.loads(r[7]),
    )


def _where(flt: ArticleFilter) -> tuple[str, list[Any]]:
    conds: list[str] = []
    params: list[Any] = []
    if flt.outlet:
        conds.append("lower(a.outlet) = lower(?)")
        params.append(flt.outlet)
    if flt.published_from:
        conds.append("a.published >= ?")
        params.append(flt.published_from)
    if flt.published_to:
        conds.append("a.published <= ?")
        params.append(flt.published_to)
    if flt.article_id:
        conds.append("a.id = ?")
        params.append(flt.article_id)
    return (f"WHERE {' AND '.join(conds)}" if conds else ""), params
