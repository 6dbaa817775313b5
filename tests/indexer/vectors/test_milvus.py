"""Milvus Lite as the vector store: the same retrieval and the same /ask answers as FAISS,
article filters as Milvus expressions, one collection per index version."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Iterator
from importlib.util import find_spec
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from app.api.deps import get_service
from app.settings import get_settings
from eval.polnear import load_split
from eval.polnear_questions import sample_questions
from indexer.build import BuildOptions, update_index
from indexer.embed import Embedder
from indexer.errors import IndexerError
from indexer.index import Index
from indexer.ingest import load_paths
from indexer.models import Article
from indexer.store import ArticleFilter
from indexer.vectors import VectorConfig
from tests.conftest import POLNEAR, SAMPLES, use_index

needs_milvus = pytest.mark.skipif(
    find_spec("pymilvus") is None or find_spec("milvus_lite") is None,
    reason="Milvus Lite is not installed: pip install -e '.[milvus]'",
)
MILVUS = BuildOptions(vectors=VectorConfig("milvus"))


def test_choosing_milvus_without_the_extra_names_the_extra_to_install(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from indexer.vectors import milvus

    monkeypatch.setitem(sys.modules, "pymilvus", None)
    milvus.client.cache_clear()
    with pytest.raises(IndexerError, match=r"pip install 'accordingto\[milvus\]'"):
        milvus.client("/nonexistent/milvus.db")


@pytest.fixture(scope="module")
def milvus_index(tmp_path_factory: pytest.TempPathFactory, embedder: Embedder) -> Path:
    if find_spec("milvus_lite") is None:
        pytest.skip("Milvus Lite is not installed: pip install -e '.[milvus]'")
    index_dir = tmp_path_factory.mktemp("milvus-index")
    update_index(index_dir, embedder, load_paths([SAMPLES]).articles, options=MILVUS)
    return index_dir


@needs_milvus
def test_article_filters_select_in_milvus_what_they_select_in_sqlite(
    milvus_index: Path, embedder: Embedder
) -> None:
    index = Index.open(milvus_index)
    assert index.manifest.vectors["store"] == "milvus"
    assert index.manifest.vectors["index"] == "FLAT"  # exact, as FAISS is at this size
    assert len(index.vectors) == index.manifest.counts["chunks"]
    articles = index.store.articles(limit=100)[1]
    filters = [ArticleFilter(article_id=a.id) for a in articles]
    filters += [ArticleFilter(outlet=a.outlet.upper()) for a in articles if a.outlet]
    filters += [
        ArticleFilter(published_from=a.published, published_to=a.published)
        for a in articles
        if a.published
    ]
    filters += [
        ArticleFilter(published_from="2999-01-01"),
        ArticleFilter(article_id='x" or id >= 0 or "'),  # quoted, not spliced in
    ]
    q = embedder.embed(["What did the intelligence service say?"])[0]
    for flt in filters:
        allowed = index.store.chunk_ids(flt)
        hits = index.vectors.search(q, 1000, None, flt)
        assert sorted(i for i, _ in hits) == sorted(allowed.tolist()), flt


def _answers(
    index_dir: Path, questions: list[str], monkeypatch: pytest.MonkeyPatch
) -> list[object]:
    from app.main import app

    use_index(monkeypatch, index_dir)
    out: list[object] = []
    with TestClient(app) as client:
        for q in questions:
            r = client.post("/ask", json={"question": q})
            assert r.status_code == 200, r.text
            data = r.json()
            cites = [(c["article_id"], c["start"], c["end"]) for c in data["citations"]]
            out.append((data["answer"], cites))
    get_settings.cache_clear()
    get_service.cache_clear()
    return out


def _questions(index_dir: Path, n: int) -> list[str]:
    """Questions made from the articles themselves: titles and who-said-what."""
    index = Index.open(index_dir)
    articles = index.store.articles(limit=n)[1]
    claimants = dict.fromkeys(c.claimant for c in index.store.claims(limit=500) if c.claimant)
    return [a.title for a in articles] + [f"What did {c} say?" for c in list(claimants)[:n]]


@needs_milvus
def test_ask_gives_the_same_answers_and_citations_over_faiss_and_milvus(
    sample_index: Path, milvus_index: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    questions = _questions(sample_index, 6)
    assert len(questions) >= 4
    over_faiss = _answers(sample_index, questions, monkeypatch)
    assert any(cites for _, cites in over_faiss)  # type: ignore[misc]
    assert _answers(milvus_index, questions, monkeypatch) == over_faiss


def _story(i: int) -> Article:
    text = f"Story {i}\n\nThe council said on day {i} that bridge number {i} would close."
    return Article(id=f"s{i}", title=f"Story {i}", text=text, source=f"/s{i}.txt")


@needs_milvus
def test_each_version_names_its_own_collection_and_the_old_one_is_dropped(
    tmp_path: Path, embedder: Embedder
) -> None:
    from indexer.vectors.milvus import client, collection_prefix

    update_index(tmp_path, embedder, [_story(1), _story(2)], options=MILVUS)
    first = Index.open(tmp_path).manifest.vectors["collection"]
    update_index(tmp_path, embedder, [_story(3)], remove=["s1"], options=MILVUS)
    index = Index.open(tmp_path)
    second = index.manifest.vectors["collection"]
    assert second != first
    mine = [
        c
        for c in client(index.manifest.vectors["uri"]).list_collections()
        if c.startswith(collection_prefix(tmp_path))
    ]
    assert mine == [second]
    assert sorted(i for i, _ in index.vectors.search(embedder.embed(["bridge"])[0], 10)) == sorted(
        index.store.chunk_ids(ArticleFilter()).tolist()
    )


@needs_milvus
def test_past_the_threshold_the_collection_gets_milvus_own_index(
    tmp_path: Path, embedder: Embedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    from indexer.vectors import milvus

    monkeypatch.setattr(milvus, "IVF_THRESHOLD", 2)
    update_index(tmp_path, embedder, [_story(i) for i in range(4)], options=MILVUS)
    index = Index.open(tmp_path)
    assert index.manifest.vectors["index"] == "AUTOINDEX"
    q = embedder.embed(["Which bridge would close on day 2?"])[0]
    assert len(index.vectors.search(q, 10)) == index.manifest.counts["chunks"]


@pytest.fixture
def polnear_dev(tmp_path_factory: pytest.TempPathFactory, embedder: Embedder) -> Iterator[Path]:
    if not POLNEAR.exists():
        pytest.skip(f"PolNeAR is not at {POLNEAR} (set POLNEAR_DIR)")
    index_dir = tmp_path_factory.mktemp("polnear-dev")
    update_index(index_dir, embedder, [d.article for d in load_split(POLNEAR, "dev")])
    yield index_dir


@pytest.mark.slow
@needs_milvus
def test_polnear_dev_answers_are_the_same_after_moving_the_vectors_to_milvus(
    polnear_dev: Path, tmp_path: Path, embedder: Embedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    moved = tmp_path / "moved"
    shutil.copytree(polnear_dev, moved, symlinks=True)
    report = update_index(moved, embedder, options=MILVUS)  # no article changed
    assert report.version is not None and not report.added
    assert Index.open(moved).manifest.vectors["store"] == "milvus"
    # The whole dev split; titles, claimants, and the "who said it?" evaluation's questions.
    asked = sample_questions(load_split(POLNEAR, "dev"), "dev", 20, seed=0)
    questions = _questions(polnear_dev, 12) + [q.question for q in asked]
    assert _answers(moved, questions, monkeypatch) == _answers(polnear_dev, questions, monkeypatch)


@needs_milvus
def test_a_milvus_lite_file_held_by_another_process_gets_a_clear_error(tmp_path: Path) -> None:
    from indexer.vectors import milvus

    path = tmp_path / "held.db"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time; from pymilvus import MilvusClient;"
            f"MilvusClient({str(path)!r}); print('ready', flush=True); time.sleep(120)",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "ready"
        milvus.client.cache_clear()
        with pytest.raises(IndexerError, match="one process at a time"):
            milvus.client(str(path))
    finally:
        holder.kill()
        holder.wait()
