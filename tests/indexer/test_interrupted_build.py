"""Kill a real indexing process mid-write: the previous index must stay loadable."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from indexer.build import update_index
from indexer.embed import Embedder
from indexer.index import Index
from indexer.ingest import load_paths
from tests.conftest import REPO, SAMPLES

# The child builds an index over a folder of articles and SIGKILLs itself at one point
# of the write, the way a power cut or `kill -9` would.
CHILD = textwrap.dedent(
    """
    import os, signal, sys
    from pathlib import Path
    import indexer.build as build, indexer.index as index, indexer.store as store
    from indexer.embed import get_embedder
    from indexer.ingest import load_paths

    point, index_dir, corpus = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])

    def die(*args, **kwargs):
        os.kill(os.getpid(), signal.SIGKILL)

    if point == "store":
        calls = []
        real_add = store.Store.add_article
        def add(self, *a, **k):
            calls.append(1)
            if len(calls) == 2:
                die()
            return real_add(self, *a, **k)
        store.Store.add_article = add
    elif point == "vectors":
        import indexer.vectors.faiss as fv
        fv.FaissVectors.save = die
    elif point == "swap":
        real_replace = os.replace
        def replace(src, dst):
            if str(dst).endswith("current"):
                die()
            return real_replace(src, dst)
        os.replace = replace
    build.update_index(index_dir, get_embedder("all-MiniLM-L6-v2"), load_paths([corpus]).articles)
    """
)


def _corpus(folder: Path) -> Path:
    folder.mkdir()
    for i in range(4):
        (folder / f"story{i}.txt").write_text(
            f"Story {i}\n\nThe council said on day {i} that the bridge number {i} would close. "
            f"Residents told reporters they were worried about bridge {i}.\n"
        )
    return folder


@pytest.mark.parametrize("point", ["store", "vectors", "swap"])
def test_killed_indexer_leaves_previous_index_loadable(
    tmp_path: Path, embedder: Embedder, point: str
) -> None:
    index_dir = tmp_path / "index"
    update_index(index_dir, embedder, load_paths([SAMPLES]).articles)
    before = Index.open(index_dir)
    before_counts = before.manifest.counts
    before.close()

    proc = subprocess.run(
        [sys.executable, "-c", CHILD, point, str(index_dir), str(_corpus(tmp_path / "news"))],
        cwd=REPO,
        capture_output=True,
        timeout=300,
    )
    assert proc.returncode == -9, proc.stderr.decode()[-2000:]

    after = Index.open(index_dir)
    assert after.manifest.counts == before_counts
    total, articles = after.store.articles()
    assert total == 2 and all(a.outlet for a in articles)
    assert len(after.vectors) == before_counts["chunks"]

    # The next run cleans up what the killed one left and succeeds.
    report = update_index(index_dir, embedder, load_paths([tmp_path / "news"]).articles)
    assert len(report.added) == 4
    assert not list(index_dir.glob(".building-*"))
    assert Index.open(index_dir).manifest.counts["articles"] == 6
