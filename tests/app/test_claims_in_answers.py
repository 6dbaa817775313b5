"""Claims, chains and conflicts in /ask over the sample articles, and the /claims ledger."""

from __future__ import annotations

from fastapi.testclient import TestClient


def _ask(client: TestClient, question: str) -> dict[str, list[dict[str, object]] | str]:
    r = client.post("/ask", json={"question": question, "top_k": 8})
    assert r.status_code == 200, r.text
    data: dict[str, list[dict[str, object]] | str] = r.json()
    return data


def test_claims_are_tied_to_citations_with_reporting_chains(client: TestClient) -> None:
    data = _ask(client, "Who says North Korea sent more troops to Russia?")
    claims = data["claims"]
    assert claims
    numbers = {c["n"] for c in data["citations"]}  # type: ignore[index]
    for c in claims:
        assert c["citation"] in numbers  # type: ignore[index]
        assert isinstance(c["reported_by"], list) and c["reported_by"]  # type: ignore[index]
    # The outlet that published the article ends every chain.
    outlets = {cit["outlet"] for cit in data["citations"]}  # type: ignore[index]
    assert all(c["reported_by"][-1] in outlets for c in claims)  # type: ignore[index]
    assert any("spy agency" in str(c["claimant"]) for c in claims)  # type: ignore[index]


def test_a_claimant_is_found_under_a_different_mention(client: TestClient) -> None:
    for question in (
        "What did Budanov say?",
        "What did Ukraine's military intelligence chief say?",
    ):
        data = _ask(client, question)
        assert "Budanov" in str(data["answer"])
        claims: list[dict[str, object]] = data["claims"]  # type: ignore[assignment]
        assert claims and "Budanov" in str(claims[0]["claimant"])
        # Anyone else's claim is there as a side of a disagreement with his.
        sides = {str(p["claimant"]) for c in data["conflicts"] for p in c["positions"]}  # type: ignore[index, union-attr]
        others = {str(c["claimant"]) for c in claims if "Budanov" not in str(c["claimant"])}
        assert others <= sides


def test_death_toll_conflict_sets_nis_against_zelensky(client: TestClient) -> None:
    data = _ask(client, "How many North Korean soldiers have been killed?")
    conflicts = [c for c in data["conflicts"] if c["kind"] == "figures"]  # type: ignore[index]
    assert conflicts, data["answer"]
    positions = conflicts[0]["positions"]  # type: ignore[index]
    text = " | ".join(f"{p['claimant']}: {p['value']}" for p in positions)  # type: ignore[index]
    assert "Zelensky" in text and "4,000" in text
    assert "Intelligence" in text and "300" in text
    assert "disagree" in str(data["answer"])
    numbers = {c["n"] for c in data["citations"]}  # type: ignore[index]
    assert all(p["citation"] in numbers for p in positions)  # type: ignore[index]


def test_troops_leaving_the_front_conflict_sets_reports_against_budanov(client: TestClient) -> None:
    data = _ask(client, "Have North Korean troops left the front line?")
    stance = [c for c in data["conflicts"] if c["kind"] == "stance"]  # type: ignore[index]
    assert stance, data["answer"]
    claimants = [p["claimant"] for p in stance[0]["positions"]]  # type: ignore[index]
    assert claimants[-1] == "Kyrylo Budanov"
    assert any("Times" in c or "spokesperson" in c or "Kindratenko" in c for c in claimants[:-1])


def test_claims_ledger_lists_by_claimant_and_content(client: TestClient) -> None:
    items = client.get("/claims", params={"claimant": "Zelensky"}).json()["items"]
    assert items and all("Zelensky" in i["claimant"] for i in items)
    for i in items:
        article = client.get(f"/articles/{i['article_id']}").json()
        assert article["text"][i["start"] : i["end"]] == i["content"]
    assert client.get("/claims", params={"q": "casualties"}).json()["items"]
    assert client.get("/claims", params={"claimant": "Nobody Atall"}).json()["items"] == []
    assert client.get("/claims", params={"bogus": 1}).status_code == 422


def test_claims_ledger_matches_a_name_however_it_is_written(client: TestClient) -> None:
    def ledger(claimant: str) -> list[tuple[str, int]]:
        items = client.get("/claims", params={"claimant": claimant}).json()["items"]
        return [(i["article_id"], i["start"]) for i in items]

    written = ledger("Zelensky")
    assert written
    for variant in ("Zelenskiy", "Zelenskyy", "President Volodymyr Zelenskyy"):
        assert ledger(variant) == written, variant
    # A description the article gives brings that claimant's claims under any mention.
    chief = client.get("/claims", params={"claimant": "Ukraine's military intelligence chief"})
    claimants = {i["claimant"] for i in chief.json()["items"]}
    assert claimants == {"Kyrylo Budanov"}
    assert len(chief.json()["items"]) > 1
    assert ledger("Zelensky Jr.") == []
