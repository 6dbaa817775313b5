"""The `accordingto` command as a user runs it: a real process, a real index directory."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from tests.conftest import REPO, SAMPLES


def _run(
    *args: str, cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    exe = shutil.which("accordingto", path=str(Path(sys.executable).parent))
    assert exe, "the accordingto script is installed with the package"
    return subprocess.run(
        [exe, *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "HF_HUB_OFFLINE": "1", **(env or {})},
    )


def test_index_ask_and_remove_from_the_command_line(tmp_path: Path) -> None:
    corpus = tmp_path / "news"
    shutil.copytree(SAMPLES, corpus)
    (corpus / "broken.txt").write_bytes(b"\xff\xfe\x00\x01binary\x00")
    index_dir = tmp_path / "idx"

    first = _run("index", str(corpus), "--index-dir", str(index_dir), cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    assert "2 added" in first.stdout
    assert "broken.txt" in first.stderr  # named and skipped, the rest indexed

    again = _run("index", str(corpus), "--index-dir", str(index_dir), cwd=tmp_path)
    assert "2 unchanged" in again.stdout and "index unchanged" in again.stdout

    asked = _run(
        "ask", "What did Zelensky say about casualties?", "--json", "--index-dir", str(index_dir),
        cwd=tmp_path,
    )  # fmt: skip
    assert asked.returncode == 0, asked.stderr
    data = json.loads(asked.stdout)
    assert data["citations"] and "[1]" in data["answer"]

    env = {"ACCORDINGTO_INDEX_DIR": str(index_dir)}
    article_id = data["citations"][0]["article_id"]
    removed = _run("index", "remove", article_id, cwd=tmp_path, env=env)
    assert removed.returncode == 0 and "1 removed" in removed.stdout
    missing = _run("index", "remove", article_id, cwd=tmp_path, env=env)
    assert missing.returncode == 1 and "No article with id" in missing.stderr


def test_ask_without_index_says_how_to_build_one(tmp_path: Path) -> None:
    r = _run("ask", "Who said it?", "--index-dir", str(tmp_path / "none"), cwd=REPO)
    assert r.returncode == 1 and "accordingto index" in r.stderr


def test_ask_rejects_an_empty_question(tmp_path: Path) -> None:
    r = _run("ask", "  ", "--index-dir", str(tmp_path), cwd=REPO)
    assert r.returncode == 1 and "empty" in r.stderr
