"""The `accordingto` command as a user runs it: a real process, a real index directory."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

import httpx

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


def _run_here(*args: str, cwd: Path = REPO) -> subprocess.CompletedProcess[str]:
    """This tree's CLI (the installed script may belong to another checkout)."""
    code = "from app.cli import main; main()"
    return subprocess.run(
        [sys.executable, "-c", code, *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "HF_HUB_OFFLINE": "1", "PYTHONPATH": str(REPO)},
    )


# What `--help` must not load: each of these takes a second or more to import.
HEAVY = ("spacy", "torch", "sentence_transformers", "faiss", "bm25s", "fastapi", "numpy", "eval")


def test_help_loads_no_model_library() -> None:
    code = (
        "import sys, contextlib, io\n"
        "sys.argv = ['accordingto', '--help']\n"
        "from app.cli import main\n"
        "with contextlib.suppress(SystemExit), contextlib.redirect_stdout(io.StringIO()):\n"
        "    main()\n"
        "print('\\n'.join(sys.modules))\n"
    )
    r = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=120
    )
    assert r.returncode == 0, r.stderr
    loaded = {m.split(".")[0] for m in r.stdout.split()}
    assert loaded.isdisjoint(HEAVY), sorted(loaded & set(HEAVY))
    # Measured at 328 modules (typer, rich and the standard library); 2,000 with the models.
    assert len(r.stdout.split()) < 500
    helped = _run_here("--help")
    assert helped.returncode == 0 and "eval" in helped.stdout and "ask" in helped.stdout


def test_version_prints_the_installed_version() -> None:
    r = _run_here("--version")
    assert r.returncode == 0 and r.stdout.strip() == f"accordingto {version('accordingto')}"


def test_ask_url_uses_a_running_server(live_server: str, tmp_path: Path) -> None:
    question = "What did Zelensky say about casualties?"
    r = _run_here("ask", question, "--json", "--url", live_server, cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert (
        json.loads(r.stdout) == httpx.post(f"{live_server}/ask", json={"question": question}).json()
    )
    refused = _run_here("ask", "x" * 5000, "--url", live_server, cwd=tmp_path)
    assert refused.returncode == 1 and "limit" in refused.stderr
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{s.getsockname()[1]}"
    down = _run_here("ask", question, "--url", closed, cwd=tmp_path)
    assert (
        down.returncode == 1
        and "not reachable" in down.stderr
        and "accordingto serve" in down.stderr
    )
