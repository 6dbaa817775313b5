"""POST /ask through a real local LLM (llama.cpp serving Gemma 3 270M) over the sample index.

The base model invents passages and citations; nothing it invents may reach the user as
a supported citation.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

import app.generate.llm as llm_module
from app.generate.base import Answer, Passage
from app.verify import split_sentences, support
from indexer.embed import Embedder
from tests.conftest import use_index
from tests.llama_server import llama_settings

pytestmark = pytest.mark.slow

TOP_K = 2  # few passages, so a marker the model makes up is likely to point at none


@pytest.fixture
def llama_client(
    llama_server: str,
    sample_index: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> TestClient:
    """The app with its LLM generator on the local llama.cpp server."""
    from app.main import app

    use_index(monkeypatch, sample_index, **llama_settings(llama_server))
    return TestClient(app)


def test_llm_answer_reaches_the_user_with_only_verified_citations(
    llama_client: TestClient, embedder: Embedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    raw: list[str] = []

    def recording_cite(text: str, passages: list[Passage], generator: str) -> Answer:
        raw.append(text)
        return cite(text, passages, generator)

    cite = llm_module.cite
    monkeypatch.setattr(llm_module, "cite", recording_cite)
    r = llama_client.post(
        "/ask",
        json={
            "question": "How many North Korean soldiers were killed?",
            "generator": "llm",
            "top_k": TOP_K,
        },
    )
    assert r.status_code == 200, r.text
    data: dict[str, Any] = r.json()
    assert data["generator"] == "llm", data["warnings"]
    assert len(raw) == 1
    answer, citations = data["answer"], data["citations"]
    by_n = {c["n"]: c for c in citations}

    for c in citations:
        article = llama_client.get(f"/articles/{c['article_id']}").json()
        assert article["text"][c["start"] : c["end"]] == c["quote"]

    markers = {int(n) for n in re.findall(r"\[(\d+)\]", answer)}
    assert markers == set(by_n)
    invented = sorted({int(n) for n in re.findall(r"\[(\d+)\]", raw[0])} - set(range(1, TOP_K + 1)))
    if invented:
        removed = next(w for w in data["warnings"] if "but only passage" in w)
        assert all(str(n) in removed for n in invented)

    for piece in split_sentences(answer):
        numbers = [int(n) for n in re.findall(r"\[(\d+)\]", piece.text)]
        if not numbers or not any(by_n[n]["supported"] for n in numbers):
            continue
        claimants = [
            name
            for claim in data["claims"]
            if claim["citation"] in numbers
            for name in (claim["claimant"], *claim["reported_by"])
        ]
        verdict = support(piece.text, [by_n[n]["quote"] for n in numbers], embedder, claimants)
        assert verdict.supported, (piece.text, verdict.reasons)

    unsupported = [c for c in citations if not c["supported"]]
    if unsupported:
        assert any(w.startswith("Unsupported sentence") for w in data["warnings"])
