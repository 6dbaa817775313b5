"""Shared fixtures: one real index over the bundled sample articles, and an HTTP client on it.

Everything is real: the bundled embedding model, spaCy, FAISS, SQLite and the FastAPI app.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from app.api.deps import get_service
from app.settings import get_settings
from indexer.build import BuildOptions, update_index
from indexer.embed import Embedder, get_embedder
from indexer.ingest import load_paths
from tests.fake_openai import fake_openai  # noqa: F401

REPO = Path(__file__).resolve().parents[1]
SAMPLES = REPO / "samples"
POLNEAR = Path(os.environ.get("POLNEAR_DIR", REPO.parent / "shared" / "data" / "polnear"))


@pytest.fixture(scope="session")
def embedder() -> Embedder:
    return get_embedder("all-MiniLM-L6-v2")


def build_index(index_dir: Path, source: Path, embedder: Embedder, articles: int) -> Path:
    """A real index of the articles in `source`, which must hold `articles` of them."""
    loaded = load_paths([source])
    assert len(loaded.articles) == articles, loaded.skipped
    update_index(index_dir, embedder, loaded.articles, options=BuildOptions())
    return index_dir


@pytest.fixture(scope="session")
def sample_index(tmp_path_factory: pytest.TempPathFactory, embedder: Embedder) -> Path:
    """An index of the two bundled sample articles (built once per test session)."""
    return build_index(tmp_path_factory.mktemp("sample-index"), SAMPLES, embedder, 2)


def use_index(monkeypatch: pytest.MonkeyPatch, index_dir: Path, **env: str) -> None:
    """Point the app's settings at `index_dir` (and any other ACCORDINGTO_* values)."""
    monkeypatch.setenv("ACCORDINGTO_INDEX_DIR", str(index_dir))
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    get_settings.cache_clear()
    get_service.cache_clear()


@pytest.fixture
def client(sample_index: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    """The real app over HTTP (ASGI) on the sample index."""
    from app.main import app

    use_index(monkeypatch, sample_index)
    with TestClient(app) as c:
        yield c
    get_settings.cache_clear()
    get_service.cache_clear()


# Fixtures shared across modules are registered here once, so that a session-scoped one
# (the llama.cpp server) starts once per session, not once per importing module. They
# import `use_index` from this module, hence their place at its end.
from tests.live_server import live_server  # noqa: E402, F401
from tests.llama_server import llama_server  # noqa: E402, F401
