from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

import httpx
import pytest
from fastapi.testclient import TestClient

from indexer.build import update_index
from indexer.embed import Embedder
from indexer.models import Article
from tests.conftest import SAMPLES, use_index


def test_articles_are_listed_with_metadata_and_paged(client: TestClient) -> None:
    page = client.get("/articles", params={"limit": 1}).json()
    assert page["total"] == 2 and len(page["items"]) == 1
    second = client.get("/articles", params={"limit": 1, "offset": 1}).json()
    assert {page["items"][0]["id"], second["items"][0]["id"]} == {
        a["id"] for a in client.get("/articles").json()["items"]
    }
    outlets = {a["outlet"] for a in client.get("/articles").json()["items"]}
    assert outlets == {"ANI", "The Kyiv Independent"}
    only = client.get("/articles", params={"outlet": "ani"}).json()
    assert [a["outlet"] for a in only["items"]] == ["ANI"]


def test_article_text_is_the_file_exactly(client: TestClient) -> None:
    files = {p.read_text() for p in SAMPLES.glob("*.txt")}
    for item in client.get("/articles").json()["items"]:
        article = client.get(f"/articles/{item['id']}").json()
        assert article["text"] in files
        assert article["published"] == "2025-02-27"


def test_unknown_article_is_a_404_that_says_where_to_look(client: TestClient) -> None:
    r = client.get("/articles/does-not-exist")
    assert r.status_code == 404 and "GET /articles" in r.json()["message"]


def test_bad_paging_is_a_422(client: TestClient) -> None:
    assert client.get("/articles", params={"limit": 0}).status_code == 422
    r = client.get("/articles", params={"published_to": "yesterday"})
    assert r.status_code == 422 and "YYYY-MM-DD" in r.json()["message"]


def test_any_article_id_round_trips(
    live_server: str, tmp_path: Path, embedder: Embedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Over real HTTP: the test client decodes a path twice, uvicorn once, as clients expect.
    ids = ["feeds/ani/2025/02/27", "a b  c", "ünïcödé-新闻", "what?#%20&=x", "trailing/"]
    text = "The minister said on Monday that the bridge would reopen in May. "
    articles = [
        Article(id=i, title=f"Article {n}", text=text * (n + 1), source=f"s{n}")
        for n, i in enumerate(ids)
    ]
    update_index(tmp_path, embedder, articles)
    use_index(monkeypatch, tmp_path)
    listed = {a["id"] for a in httpx.get(f"{live_server}/articles").json()["items"]}
    assert listed == set(ids)
    for article_id in ids:
        r = httpx.get(f"{live_server}/articles/" + quote(article_id, safe=""))
        assert r.status_code == 200, (article_id, r.text)
        assert r.json()["id"] == article_id
