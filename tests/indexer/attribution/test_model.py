"""The shipped attribution tagger: it loads, it is small, damage is reported, it finds claims."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from indexer.attribution.extract import (
    Parsed,
    load_tagger,
    parsed,
    prepare,
    tagged_claims,
    to_claims,
)
from indexer.attribution.model import (
    TRAIN_COMMAND,
    WEIGHTS,
    AttributionModelError,
    FoundAttribution,
    meta_path,
)
from indexer.claims import Found
from indexer.embed import Embedder
from indexer.errors import IndexerError
from indexer.models import Article
from indexer.split import parse, sentences


def test_shipped_weights_are_small_and_record_how_they_were_made() -> None:
    size = WEIGHTS.stat().st_size + meta_path(WEIGHTS).stat().st_size
    assert size <= 10 * 1024 * 1024
    meta = json.loads(meta_path(WEIGHTS).read_text(encoding="utf-8"))
    assert meta["options"]["seed"] == load_tagger().meta["options"]["seed"]
    assert len(meta["data"]["train"]) == 64 and len(meta["data"]["dev"]) == 64  # sha256
    assert meta["base_model"] == "all-MiniLM-L6-v2"
    assert 1 <= meta["best_epoch"] <= meta["options"]["epochs"]


def test_missing_weights_name_the_file_and_the_command(tmp_path: Path) -> None:
    missing = tmp_path / "tagger.pt"
    with pytest.raises(AttributionModelError) as err:
        load_tagger.__wrapped__(missing)
    assert str(missing) in str(err.value)
    assert TRAIN_COMMAND in str(err.value)


def test_damaged_weights_are_refused_not_used(tmp_path: Path) -> None:
    copy = tmp_path / "tagger.pt"
    shutil.copy(WEIGHTS, copy)
    shutil.copy(meta_path(WEIGHTS), meta_path(copy))
    data = bytearray(copy.read_bytes())
    data[len(data) // 2] ^= 0xFF
    copy.write_bytes(bytes(data))
    with pytest.raises(AttributionModelError) as err:
        load_tagger.__wrapped__(copy)
    assert "damaged" in str(err.value) and str(copy) in str(err.value)


def test_one_pass_gives_the_same_vectors_as_embedding(embedder: Embedder) -> None:
    texts = ["The council said the bridge would reopen in May.", "Nothing here.", "x " * 400]
    states = embedder.encode_passages(texts)
    assert np.allclose(np.stack([s.vector for s in states]), embedder.embed(texts), atol=1e-5)
    for text, s in zip(texts, states, strict=True):
        assert len(s.token_states) == len(s.offsets) > 0
        assert all(0 <= a < b <= len(text) for a, b in s.offsets)


def test_one_pass_gives_the_asked_layers_side_by_side(embedder: Embedder) -> None:
    texts = ["The council said the bridge would reopen in May."]
    last = embedder.encode_passages(texts)[0]
    both = embedder.encode_passages(texts, layers=(0, -1))[0]
    dim = last.token_states.shape[1]
    assert both.token_states.shape == (len(last.offsets), 2 * dim)
    assert np.array_equal(both.token_states[:, dim:], last.token_states)
    assert not np.allclose(both.token_states[:, :dim], last.token_states, atol=0.1)
    assert np.array_equal(both.vector, last.vector)
    with pytest.raises(IndexerError, match="hidden states 0"):
        embedder.encode_passages(texts, layers=(7,))


TEXT = (
    "Harbour plan stalls\n\n"
    "The harbour authority said on Tuesday that the new pier would not open before 2027. "
    "Its director, Mara Lindqvist, blamed the delay on a shortage of steel.\n"
    "“We are doing everything we can,” Lindqvist told reporters.\n"
    "Local fishermen disputed the authority's account, saying the works had stopped months ago."
)


def test_the_tagger_finds_claims_with_their_sources(embedder: Embedder) -> None:
    article = Article(id="harbour", title="Harbour plan stalls", text=TEXT, outlet="Gazette")
    tagger = load_tagger()
    items, states = prepare(
        [(article, parse(TEXT))], embedder, 600, 1, tagger.config.encoder_layers
    )
    claims = tagged_claims(tagger, items, states)[0]
    assert claims, "no claim found"
    for c in claims:
        assert TEXT[c.content.start : c.content.end] == c.content.text
        assert TEXT[c.cue.start : c.cue.end] == c.cue.text
    pier = [c for c in claims if "pier would not open" in c.content.text]
    assert pier and "harbour authority" in pier[0].claimant.lower()
    quote = [c for c in claims if "doing everything" in c.content.text]
    assert quote and "Lindqvist" in quote[0].claimant
    assert all(c.reported_by[-1] == "Gazette" for c in claims)


def _parsed(article_id: str, title: str, text: str) -> Parsed:
    """An article of our own as the indexer has it before claims, without chunks."""
    article = Article(id=article_id, title=title, text=text, outlet="Gazette")
    doc = parse(text)
    return parsed(doc, article, sentences(doc, article.id), [])


def _rule(item: Parsed, cue: str) -> Found:
    """The rules' attribution whose cue is `cue`."""
    return next(f for f in item.rules if item.article.text[slice(*f.cue)] == cue)


def test_a_cue_tagged_without_a_source_takes_the_rules_subject_of_that_cue() -> None:
    text = "Tram delayed\n\nThe city's transport chief said the tram would open late.\n"
    item = _parsed("tram", "Tram delayed", text)
    rule = _rule(item, "said")
    assert rule.subject is not None
    no_source = FoundAttribution(cue=rule.cue, content=rule.content, source=None)
    (claim,) = to_claims(item, [no_source])
    assert "transport chief" in claim.claimant.lower()
    assert claim.claimant_mention is not None
    assert claim.claimant_mention.start == rule.subject.start_char


def test_quotations_signed_with_a_dash_join_the_tagged_claims() -> None:
    text = (
        "Readers wrote in\n\n"
        "“The pier has been closed for too long.” ― Ada Lindqvist\n"
        "“It should open in May,” said the mayor.\n"
    )
    item = _parsed("pier", "Readers wrote in", text)
    said = _rule(item, "said")
    tagged = FoundAttribution(cue=said.cue, content=said.content, source=None)
    claims = to_claims(item, [tagged])
    assert [(c.cue.text, c.claimant) for c in claims] == [("―", "Ada Lindqvist"), ("said", "mayor")]


def test_a_tagged_content_cut_inside_a_quotation_takes_the_whole_quotation() -> None:
    text = (
        "Pier\n\n"
        "“The pier has been closed for too long. It should open in May. The council "
        "has had the money since March,” said the mayor. Critics said the pier was unsafe.\n"
    )
    item = _parsed("pier", "Pier", text)
    said = text.index("said the mayor")
    cue = (said, said + 4)
    quote = (text.index("“"), text.index("”") + 1)
    first = text.index("The pier")
    # The tagger stopped after the second sentence of the quotation.
    short = FoundAttribution(cue=cue, content=(first, text.index(" The council")), source=None)
    late = FoundAttribution(cue=cue, content=(text.index("It should"), quote[1]), source=None)
    for tagged in (short, late):
        (claim,) = [c for c in to_claims(item, [tagged]) if c.cue.start == said]
        assert (claim.content.start, claim.content.end) == quote
    # A content outside any quotation is left as tagged.
    critics = text.index("the pier was unsafe")
    outside = FoundAttribution(
        cue=(critics - 5, critics - 1), content=(critics, text.index(".\n")), source=None
    )
    claims = to_claims(item, [outside])
    assert [(c.content.start, c.content.end) for c in claims] == [outside.content]


def test_a_report_of_a_report_keeps_the_inner_claim_the_role_head_turned_down() -> None:
    text = (
        "Ferry\n\n"
        "The ferry will stop running in June, the harbour board said on Monday, "
        "the local radio reported.\n"
    )
    item = _parsed("ferry", "Ferry", text)
    inner = _rule(item, "said")
    outer = _rule(item, "reported")
    # The tagger kept the outer cue with a content reaching past the inner one, and
    # turned the inner cue down.
    kept = FoundAttribution(cue=outer.cue, content=(inner.content[0], inner.cue[1]), source=None)
    claims = to_claims(item, [kept], rejected=[inner.cue])
    by_cue = {c.cue.text: c for c in claims}
    assert set(by_cue) == {"said", "reported"}
    assert "harbour board" in by_cue["said"].claimant.lower()
    assert "stop running in June" in by_cue["said"].content.text
    assert "radio" in by_cue["said"].reported_by[0]  # the reporting chain
    # A cue the cue head never found stays out, even where the rules see it.
    assert {c.cue.text for c in to_claims(item, [kept])} == {"reported"}
    # And so does a turned-down cue outside every kept attribution.
    elsewhere = FoundAttribution(
        cue=outer.cue, content=(outer.cue[0] - 1, outer.cue[1]), source=None
    )
    assert {c.cue.text for c in to_claims(item, [elsewhere], rejected=[inner.cue])} == {"reported"}
