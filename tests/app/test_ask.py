"""POST /ask over the sample articles: the contract in DESIGN.md, citations that check out."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.conftest import use_index

CONTRACT_KEYS = {"answer", "citations", "claims", "conflicts", "generator", "warnings"}
CITATION_KEYS = {
    "n", "article_id", "title", "outlet", "published", "url", "quote", "start", "end", "supported",
}  # fmt: skip


def _ask(client: TestClient, **body: object) -> dict[str, object]:
    r = client.post("/ask", json=body)
    assert r.status_code == 200, r.text
    data: dict[str, object] = r.json()
    assert set(data) == CONTRACT_KEYS
    return data


def test_who_sent_troops_names_the_spy_agency_with_checked_citations(client: TestClient) -> None:
    data = _ask(client, question="Who says North Korea sent more troops to Russia?")
    answer = str(data["answer"])
    assert "NIS" in answer or "spy agency" in answer or "Intelligence" in answer
    citations = data["citations"]
    assert isinstance(citations, list) and citations
    for c in citations:
        assert set(c) == CITATION_KEYS
        assert f"[{c['n']}]" in answer
        article = client.get(f"/articles/{c['article_id']}").json()
        assert article["text"][c["start"] : c["end"]] == c["quote"]
        assert c["supported"] is True
        assert c["outlet"] in {"ANI", "The Kyiv Independent"} and c["published"] == "2025-02-27"
    assert data["generator"] == "extractive"


def test_every_marker_in_the_answer_has_a_citation(client: TestClient) -> None:
    for q in ("How many North Korean soldiers were killed?", "What did Budanov say?"):
        data = _ask(client, question=q)
        numbers = {c["n"] for c in data["citations"]}  # type: ignore[union-attr]
        import re

        assert {int(m) for m in re.findall(r"\[(\d+)\]", str(data["answer"]))} == numbers


def test_question_the_articles_cannot_answer_says_so(client: TestClient) -> None:
    data = _ask(client, question="What is the recipe for a lemon meringue pie?")
    assert data["citations"] == []
    assert "nothing" in str(data["answer"]).lower()


def test_filters_restrict_the_articles_cited(client: TestClient) -> None:
    data = _ask(
        client,
        question="How many North Korean soldiers were killed?",
        filters={"outlet": "ANI"},
    )
    assert data["citations"] and all(c["outlet"] == "ANI" for c in data["citations"])  # type: ignore[union-attr]
    none = _ask(
        client,
        question="How many North Korean soldiers were killed?",
        filters={"published_from": "2026-01-01"},
    )
    assert none["citations"] == []


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ({"question": ""}, "empty"),
        ({"question": "   \n "}, "empty"),
        ({"question": "x" * 2001}, "limit is 2000"),
        ({"question": "ok?", "top_k": 0}, "top_k"),
        ({"question": "ok?", "top_k": 10_000}, "at most"),
        ({"question": "ok?", "filters": {"country": "UA"}}, "unknown field 'filters.country'"),
        ({"question": "ok?", "filters": {"published_from": "27/02/2025"}}, "YYYY-MM-DD"),
        ({"question": "ok?", "generator": "magic"}, "generator"),
        ({}, "question"),
    ],
)
def test_bad_input_is_a_422_that_says_what_is_wrong(
    client: TestClient, body: dict[str, object], fragment: str
) -> None:
    r = client.post("/ask", json=body)
    assert r.status_code == 422
    assert fragment in r.json()["message"]


def test_no_index_is_a_503_with_the_command_that_builds_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from app.main import app

    use_index(monkeypatch, tmp_path / "none")
    with TestClient(app) as c:
        r = c.post("/ask", json={"question": "Who said it?"})
        assert r.status_code == 503
        assert "accordingto index" in r.json()["message"]
        h = c.get("/health").json()
        assert h["status"] == "no_index" and h["index_loaded"] is False


def test_llm_requested_without_endpoint_falls_back_with_warning(
    sample_index: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from app.main import app

    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    use_index(monkeypatch, sample_index)
    with TestClient(app) as c:
        data = _ask(c, question="What did Zelensky say?", generator="llm")
    assert data["generator"] == "extractive"
    assert any("OPENAI_BASE_URL" in w for w in data["warnings"])  # type: ignore[union-attr]
