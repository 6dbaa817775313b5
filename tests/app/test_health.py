"""Liveness apart from readiness; a damaged index version is reported by /health (503,
naming the repair) and is a clear 503, never a 500, everywhere else."""

from __future__ import annotations

import gc
import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from indexer.build import update_index
from indexer.embed import Embedder
from indexer.index import current_version
from indexer.models import Article
from tests.conftest import use_index


def test_live_answers_while_the_index_is_missing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from app.main import app

    use_index(monkeypatch, tmp_path / "none")
    with TestClient(app) as c:
        assert c.get("/health/live").json() == {"status": "alive"}
        r = c.get("/health")
        assert r.status_code == 503 and r.json()["status"] == "no_index"


def test_not_ready_before_the_models_are_warm(client: TestClient) -> None:
    from app.main import app

    assert client.get("/health").status_code == 200
    app.state.warm = False  # as between start and the end of the warm-up
    try:
        r = client.get("/health")
        assert r.status_code == 503 and r.json()["status"] == "starting"
    finally:
        app.state.warm = True


def _junk(path: Path) -> None:
    path.write_bytes(b"this is not what the file should hold" * 10)


def _gone(path: Path) -> None:
    shutil.rmtree(path) if path.is_dir() else path.unlink()


DAMAGES: dict[str, tuple[str, Callable[[Path], None]]] = {
    "junk vectors": ("vectors.faiss", _junk),
    "missing bm25": ("bm25", _gone),
    "junk store": ("store.sqlite", _junk),
    "missing store": ("store.sqlite", _gone),
    "junk manifest": ("manifest.json", _junk),
}


@pytest.mark.parametrize("damage", list(DAMAGES))
def test_a_damaged_version_is_a_503_everywhere_and_health_names_the_repair(
    sample_index: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, damage: str
) -> None:
    from app.main import app

    index_dir = tmp_path / "index"
    shutil.copytree(sample_index, index_dir, symlinks=True)
    version = current_version(index_dir)
    assert version is not None
    part, harm = DAMAGES[damage]
    harm(version / part)
    use_index(monkeypatch, index_dir)
    with TestClient(app) as c:
        assert c.get("/health/live").status_code == 200
        h = c.get("/health")
        assert h.status_code == 503
        if damage != "junk manifest":  # a version without a readable manifest is no version
            assert h.json()["status"] == "damaged", h.text
            assert "accordingto index" in h.json()["message"] and "--rebuild" in h.json()["message"]
        calls = [
            c.post("/ask", json={"question": "Who said it?"}),
            c.post("/ask", json={"question": "Who said it?", "stream": True}),
            c.get("/search", params={"q": "troops"}),
            c.get("/articles"),
            c.get("/articles/anything"),
            c.get("/claims"),
            c.post(
                "/v1/chat/completions", json={"messages": [{"role": "user", "content": "Who?"}]}
            ),
        ]
    for r in calls:
        assert r.status_code == 503, (r.request.url, r.text)
        assert str(tmp_path) not in r.text


def _open_files() -> list[str]:
    out = []
    for fd in os.listdir("/proc/self/fd"):
        try:
            out.append(os.readlink(f"/proc/self/fd/{fd}"))
        except FileNotFoundError:  # the listing's own descriptor, closed since
            continue
    return out


def test_replaced_versions_are_closed(
    sample_index: Path, tmp_path: Path, embedder: Embedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    from app.main import app

    index_dir = tmp_path / "index"
    shutil.copytree(sample_index, index_dir, symlinks=True)
    use_index(monkeypatch, index_dir)
    question = "Who said the bridges would reopen?"
    # An SQLite connection sits in a reference cycle (its statement cache), so without an
    # explicit close its file stays open until the collector happens to run: keep it off.
    gc.disable()
    try:
        held = _swap_three_times(app, index_dir, embedder, question)
    finally:
        gc.enable()
    stale = [h for h in held if "store.sqlite" in h and str(index_dir) in h and "(deleted)" in h]
    assert stale == []
    current = current_version(index_dir)
    assert current is not None and str(current / "store.sqlite") in held


def _swap_three_times(app: Any, index_dir: Path, embedder: Embedder, question: str) -> list[str]:
    """Ask, answer a stream and a chat, swap in a new version; three times. The files open."""
    with TestClient(app) as c:
        for n in range(3):
            assert c.post("/ask", json={"question": question}).status_code == 200
            assert c.post("/ask", json={"question": question, "stream": True}).status_code == 200
            chat = {"messages": [{"role": "user", "content": question}]}
            assert c.post("/v1/chat/completions", json=chat).status_code == 200
            text = f"The mayor said on Tuesday that {n + 2} bridges would reopen in May."
            update_index(index_dir, embedder, [Article(id=f"new-{n}", title="Bridges", text=text)])
            assert c.get("/health").status_code == 200
        return _open_files()
