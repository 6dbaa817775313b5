"""Indexing on Ray (a local Ray, started by the command) writes the same store as the
plain local path."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from importlib.util import find_spec
from pathlib import Path

import numpy as np
import pytest

from indexer.build import update_index
from indexer.embed import Embedder
from indexer.errors import IndexerError
from indexer.index import STORE, Manifest, current_version
from indexer.ingest import load_paths
from tests.conftest import REPO, SAMPLES

TABLES = {
    "articles": "SELECT * FROM articles ORDER BY id",
    "sentences": "SELECT * FROM sentences ORDER BY article_id, idx",
    "chunks": "SELECT id, article_id, idx, start, end, first_sentence, last_sentence"
    " FROM chunks ORDER BY id",
    "claims": "SELECT * FROM claims ORDER BY id",
}


def test_ray_without_the_extra_names_the_extra_to_install(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from indexer.distributed import load_paths_with_ray

    monkeypatch.setitem(sys.modules, "ray", None)
    with pytest.raises(IndexerError, match=r"pip install 'accordingto\[ray\]'"):
        load_paths_with_ray([SAMPLES], "local")


def _corpus(folder: Path) -> Path:
    """The sample articles and a dozen short ones: several read and prepare batches."""
    shutil.copytree(SAMPLES, folder)
    for i in range(12):
        (folder / f"brief{i:02}.txt").write_text(
            f"Brief {i}\n\nThe mayor said on day {i} that road number {i} would reopen. "
            f'"We expect {i + 2} lanes," a spokesperson told reporters.\n'
        )
    return folder


@pytest.mark.skipif(find_spec("ray") is None, reason="Ray is not installed: pip install '.[ray]'")
def test_indexing_on_ray_writes_the_same_store_as_the_local_path(
    tmp_path: Path, embedder: Embedder
) -> None:
    corpus = _corpus(tmp_path / "corpus")
    local_dir, ray_dir = tmp_path / "local", tmp_path / "ray"
    update_index(local_dir, embedder, load_paths([corpus]).articles)
    # Small batches, so that both stages split the corpus across the two workers.
    code = (
        "import indexer.distributed as d; d.READ_BATCH = 5; d.PREPARE_BATCH = 3;"
        "from app.cli import main; main()"
    )
    run = subprocess.run(
        [sys.executable, "-c", code, "index", str(corpus), "-q", "--ray"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, "ACCORDINGTO_INDEX_DIR": str(ray_dir), "HF_HUB_OFFLINE": "1"},
    )
    assert run.returncode == 0, run.stderr
    assert "14 added" in run.stdout

    local_v, ray_v = current_version(local_dir), current_version(ray_dir)
    assert local_v is not None and ray_v is not None
    assert Manifest.read(ray_v).counts == Manifest.read(local_v).counts
    a, b = sqlite3.connect(local_v / STORE), sqlite3.connect(ray_v / STORE)
    for table, query in TABLES.items():
        assert a.execute(query).fetchall() == b.execute(query).fetchall(), table
    # The encoder batches chunks differently on each worker: equal to float rounding.
    ea = np.frombuffer(
        b"".join(r[0] for r in a.execute("SELECT embedding FROM chunks ORDER BY id")), np.float32
    )
    eb = np.frombuffer(
        b"".join(r[0] for r in b.execute("SELECT embedding FROM chunks ORDER BY id")), np.float32
    )
    assert ea.shape == eb.shape and np.allclose(ea, eb, atol=1e-5)
