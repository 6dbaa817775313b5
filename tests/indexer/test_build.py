from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from indexer.build import BuildOptions, update_index
from indexer.embed import Embedder
from indexer.errors import EmbeddingModelMismatchError, IndexerError, IndexNotFoundError
from indexer.index import Index, Manifest, current_version
from indexer.models import Article

TEXT_A = (
    "Ministry warns of floods\n\nThe environment ministry said on Monday that rivers would "
    "rise by two metres. Officials told residents to leave low-lying areas."
)
TEXT_B = (
    "Chess club wins title\n\nThe village chess club won the regional title on Sunday, "
    "its captain said. It was the club's first title in forty years."
)


def _article(aid: str, text: str, source: str) -> Article:
    return Article(id=aid, title=text.split("\n")[0], text=text, outlet="Daily", source=source)


def test_build_writes_manifest_store_vectors_and_bm25(tmp_path: Path, embedder: Embedder) -> None:
    report = update_index(tmp_path, embedder, [_article("a", TEXT_A, "/a.txt")])
    assert report.added == ["a"] and report.version is not None
    index = Index.open(tmp_path, "all-MiniLM-L6-v2")
    m = index.manifest
    assert (m.embedding_model, m.embedding_dim) == ("all-MiniLM-L6-v2", 384)
    assert m.counts["articles"] == 1 and m.counts["chunks"] == len(index.vectors) > 0
    assert m.counts["sentences"] == 3
    assert {p.name for p in index.directory.iterdir()} >= {
        "manifest.json",
        "store.sqlite",
        "vectors.faiss",
        "bm25",
    }
    assert index.lexical.search("rivers rise", 5)[0][0] in index.store.chunk_ids(
        __import__("indexer.store", fromlist=["ArticleFilter"]).ArticleFilter(article_id="a")
    )


def test_reindexing_unchanged_articles_is_a_no_op(tmp_path: Path, embedder: Embedder) -> None:
    articles = [_article("a", TEXT_A, "/a.txt"), _article("b", TEXT_B, "/b.txt")]
    first = update_index(tmp_path, embedder, articles)
    second = update_index(tmp_path, embedder, articles)
    assert second.version is None and sorted(second.unchanged) == ["a", "b"]
    assert current_version(tmp_path) == first.version
    assert not list(tmp_path.glob(".building-*"))


def test_a_changed_article_replaces_its_old_version(tmp_path: Path, embedder: Embedder) -> None:
    update_index(
        tmp_path, embedder, [_article("a", TEXT_A, "/a.txt"), _article("b", TEXT_B, "/b.txt")]
    )
    edited = TEXT_A.replace("two metres", "three metres")
    # Same source file, new content-hash id: the old version must go.
    report = update_index(tmp_path, embedder, [_article("a2", edited, "/a.txt")])
    assert report.replaced == ["a2"]
    index = Index.open(tmp_path)
    total, articles = index.store.articles()
    assert total == 2 and sorted(a.id for a in articles) == ["a2", "b"]
    hits = index.lexical.search("three metres", 3)
    assert hits and index.store.chunks([hits[0][0]])[hits[0][0]].article_id == "a2"
    assert index.manifest.counts["chunks"] == len(index.vectors)


def test_same_id_with_new_text_is_replaced(tmp_path: Path, embedder: Embedder) -> None:
    update_index(tmp_path, embedder, [_article("a", TEXT_A, "/a.txt")])
    changed = replace(_article("a", TEXT_A, "/a.txt"), outlet="Weekly")
    report = update_index(tmp_path, embedder, [changed])
    assert report.replaced == ["a"]
    stored = Index.open(tmp_path).store.article("a")
    assert stored is not None and stored.outlet == "Weekly"


def test_remove_deletes_one_article_everywhere(tmp_path: Path, embedder: Embedder) -> None:
    update_index(
        tmp_path, embedder, [_article("a", TEXT_A, "/a.txt"), _article("b", TEXT_B, "/b.txt")]
    )
    report = update_index(tmp_path, embedder, remove=["a"])
    assert report.removed == ["a"]
    index = Index.open(tmp_path)
    assert index.store.article("a") is None and index.store.article("b") is not None
    assert index.store.claims(article_id="a") == []
    assert index.lexical.search("rivers metres ministry", 5) == []
    assert len(index.vectors) == index.manifest.counts["chunks"]
    with pytest.raises(IndexerError, match="No article with id nope"):
        update_index(tmp_path, embedder, remove=["nope"])


def test_opening_with_another_embedding_model_names_both(
    tmp_path: Path, embedder: Embedder
) -> None:
    update_index(tmp_path, embedder, [_article("a", TEXT_A, "/a.txt")])
    with pytest.raises(EmbeddingModelMismatchError) as err:
        Index.open(tmp_path, "/models/other-model")
    assert "all-MiniLM-L6-v2" in str(err.value) and "/models/other-model" in str(err.value)


def test_missing_index_says_how_to_build_one(tmp_path: Path) -> None:
    with pytest.raises(IndexNotFoundError, match="accordingto index"):
        Index.open(tmp_path / "nowhere")


def test_rebuild_starts_from_empty(tmp_path: Path, embedder: Embedder) -> None:
    update_index(tmp_path, embedder, [_article("a", TEXT_A, "/a.txt")])
    update_index(
        tmp_path, embedder, [_article("b", TEXT_B, "/b.txt")], options=BuildOptions(rebuild=True)
    )
    version = current_version(tmp_path)
    assert version is not None and Manifest.read(version).counts["articles"] == 1
    assert [p.name for p in tmp_path.glob("v-*")] == [version.name]


def test_a_later_build_changes_the_previous_vectors_like_a_full_rebuild(
    tmp_path: Path, embedder: Embedder
) -> None:
    from indexer.store import ArticleFilter

    a, b = _article("a", TEXT_A, "/a.txt"), _article("b", TEXT_B, "/b.txt")
    edited = replace(a, text=TEXT_A.replace("two metres", "three metres"))
    update_index(tmp_path / "inc", embedder, [a, b])
    update_index(tmp_path / "inc", embedder, [edited], remove=["b"])
    update_index(tmp_path / "full", embedder, [edited])
    inc, full = Index.open(tmp_path / "inc"), Index.open(tmp_path / "full")
    held = sorted(int(i) for i in inc.vectors._contents()[0])  # type: ignore[attr-defined]
    assert held == sorted(inc.store.chunk_ids(ArticleFilter()).tolist())
    q = embedder.embed(["How high will the rivers rise?"])[0]
    inc_hits, full_hits = inc.vectors.search(q, 5), full.vectors.search(q, 5)
    assert [round(s, 5) for _, s in inc_hits] == [round(s, 5) for _, s in full_hits]
    texts = inc.store.chunks([i for i, _ in inc_hits])
    assert "three metres" in texts[inc_hits[0][0]].text
