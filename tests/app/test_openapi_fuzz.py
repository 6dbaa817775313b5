"""Schemathesis against the served /openapi.json: thousands of generated requests, valid
and invalid, over real HTTP on loopback; none may get a 5xx."""

from __future__ import annotations

from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode

from tests.conftest import use_index

CASES = 2000


def test_no_generated_request_gets_a_server_error(
    live_server: str, sample_index: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # No rate limit: every generated request comes from the one address.
    use_index(monkeypatch, sample_index, ACCORDINGTO_RATE_LIMIT="")
    schema = schemathesis.openapi.from_url(f"{live_server}/openapi.json")
    strategy = st.one_of(
        schema.as_strategy(GenerationMode.POSITIVE), schema.as_strategy(GenerationMode.NEGATIVE)
    )
    sent: dict[str, int] = {}
    failures: list[str] = []

    @given(case=strategy)
    @settings(
        max_examples=CASES,
        deadline=None,
        database=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def check(case: schemathesis.Case) -> None:
        response = case.call(base_url=live_server, timeout=60)
        where = f"{case.method} {case.operation.path}"
        sent[where] = sent.get(where, 0) + 1
        if response.status_code >= 500:
            failures.append(f"{response.status_code} {where}: {case.as_curl_command()}")

    check()
    assert failures == []
    assert sum(sent.values()) >= CASES * 0.95, sent
    assert len(sent) >= 8, sent  # every operation, not one over and over
