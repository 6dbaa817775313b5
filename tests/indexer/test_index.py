"""Index versions: a write that fails (read-only or full disk) is one clear error and leaves
no partial build behind; a version whose parts disagree or cannot be read is refused."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from indexer.build import update_index
from indexer.embed import Embedder
from indexer.errors import IndexWriteError
from indexer.index import Index, IndexDamagedError, current_version
from indexer.ingest import load_paths
from tests.conftest import REPO, SAMPLES


def _mount(target: Path, options: str) -> Iterator[Path]:
    """A small tmpfs at `target`: a real full or read-only disk (needs root, as CI has)."""
    target.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(target)], capture_output=True
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode().strip()}")
    try:
        yield target
    finally:
        subprocess.run(["umount", "-l", str(target)], check=False)


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    yield from _mount(tmp_path / "disk", "size=96k")


@pytest.fixture
def read_only_disk(tmp_path: Path) -> Iterator[Path]:
    yield from _mount(tmp_path / "ro", "ro,size=1m")


def test_a_full_disk_is_one_clear_error_and_leaves_no_stray_folder(
    small_disk: Path, embedder: Embedder
) -> None:
    articles = load_paths([SAMPLES]).articles
    with pytest.raises(IndexWriteError, match="disk is full"):
        update_index(small_disk, embedder, articles)
    assert sorted(p.name for p in small_disk.iterdir()) == [".lock"]


def test_a_read_only_directory_is_one_clear_error(read_only_disk: Path, embedder: Embedder) -> None:
    with pytest.raises(IndexWriteError, match="read-only"):
        update_index(read_only_disk / "index", embedder, load_paths([SAMPLES]).articles)


def test_the_command_line_prints_one_line_without_a_traceback(read_only_disk: Path) -> None:
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            "from app.cli import main; main()",
            "index",
            str(SAMPLES),
            "--index-dir",
            str(read_only_disk / "index"),
        ],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=300,
    )
    assert done.returncode == 1
    errors = [line for line in done.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and "read-only" in errors[0], done.stderr
    assert "Traceback" not in done.stderr


def test_parts_that_disagree_are_refused(sample_index: Path, tmp_path: Path) -> None:
    index_dir = tmp_path / "index"
    shutil.copytree(sample_index, index_dir, symlinks=True)
    version = current_version(index_dir)
    assert version is not None
    other = tmp_path / "other"
    other.mkdir()
    # The vectors of an empty index in place of the real ones: each file reads, the
    # counts do not agree.
    from indexer.vectors.faiss import FaissVectors

    FaissVectors.empty(384).save(other)
    shutil.copy(other / "vectors.faiss", version / "vectors.faiss")
    with pytest.raises(IndexDamagedError, match=r"0 vectors.*--rebuild"):
        Index.open(index_dir)


def test_a_store_cut_short_is_refused(sample_index: Path, tmp_path: Path) -> None:
    index_dir = tmp_path / "index"
    shutil.copytree(sample_index, index_dir, symlinks=True)
    version = current_version(index_dir)
    assert version is not None
    store = version / "store.sqlite"
    with open(store, "r+b") as fh:
        fh.truncate(store.stat().st_size - 4096)
    with pytest.raises(IndexDamagedError, match=r"store.sqlite unreadable.*--rebuild"):
        Index.open(index_dir)
