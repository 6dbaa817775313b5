"""Disputes the finder reads from the parse: a denial in a relative clause, a rebuttal
that names or points at whom it answers, and a rebuttal carried on in the next quote."""

from __future__ import annotations

from app import stance
from app.conflicts import ConflictFinder, Located
from indexer.embed import Embedder
from indexer.sentence_parses import remember_parts
from tests.app.test_conflicts import _located


def _stances(located: list[Located], embedder: Embedder) -> list[set[tuple[str, int]]]:
    found = ConflictFinder(embedder).conflicts(located)
    return [{(p.claimant, p.side) for p in c.positions} for c, _ in found if c.kind == "stance"]


def test_a_denial_in_a_relative_clause_answers_the_claim_it_sits_in(
    embedder: Embedder,
) -> None:
    located = _located(
        "The mayor said the water plant had stayed open through the storm, a claim that "
        "union leaders have disputed.",
        ("The mayor", "said", "the water plant had stayed open through the storm", "indirect"),
    )
    (denial,) = stance.embedded_denials(located)
    claim = denial.claim
    assert (claim.claimant, claim.cue.text, claim.content.text, claim.kind) == (
        "union leaders",
        "disputed",
        "a claim",
        "denial",
    )
    assert {("The mayor", 0), ("union leaders", 1)} in _stances(located, embedder)


def test_a_passive_relative_denial_is_the_agents() -> None:
    located = _located(
        "The ferry company said the crossing was cancelled for safety, an account rejected "
        "by the dock workers.",
        ("ferry company", "said", "the crossing was cancelled for safety", "indirect"),
    )
    remember_parts((loc.claim, loc.sentence) for loc in located)
    assert [d.claim.claimant for d in stance.embedded_denials(located)] == ["the dock workers"]


def test_a_relative_clause_denying_something_of_its_own_is_no_denial_of_the_claim() -> None:
    # "who" is the clause's subject and "the charges" what it denies: the extractor's.
    located = _located(
        "The prosecutor said the driver, who denied the charges, had been speeding.",
        ("prosecutor", "said", "the driver, who denied the charges, had been speeding", "indirect"),
    )
    assert stance.embedded_denials(located) == []


def test_a_claim_that_another_made_the_story_up_answers_that_claimant(
    embedder: Embedder,
) -> None:
    located = _located(
        "Rosa Vint accused the club's owner Mark Dale of pushing her out of the meeting. "
        "Dale told reporters he thought Vint had made up the story.",
        ("Rosa Vint", "accused", "the club's owner Mark Dale of pushing her", "other"),
        ("Mark Dale", "told", "he thought Vint had made up the story", "told"),
    )
    assert {("Rosa Vint", 0), ("Mark Dale", 1)} in _stances(located, embedder)


def test_the_next_quote_of_a_rebutting_claimant_answers_the_same_claim(
    embedder: Embedder,
) -> None:
    located = _located(
        "The Ledger reported that the clinic had overbilled patients in 40 of the 120 cases it "
        "reviewed. Clinic director Lena Park said the Ledger report is misleading because it only "
        'covers the winter months. "It cherry-picked a few weeks to give a distorted '
        'picture of our billing," Park said.',
        (
            "Ledger",
            "reported",
            "that the clinic had overbilled patients in 40 of the 120 cases it reviewed",
            "indirect",
        ),
        (
            "Lena Park",
            "said",
            "the Ledger report is misleading because it only covers the winter months",
            "indirect",
        ),
        (
            "Lena Park",
            "said",
            '"It cherry-picked a few weeks to give a distorted picture of our billing,"',
            "direct",
        ),
    )
    found = ConflictFinder(embedder).conflicts(located)
    stances = [[(p.claimant, p.side, p.value[:12]) for p in c.positions] for c, _ in found]
    # Park's quote answers the Ledger, as her "misleading" does.
    assert [("Ledger", 0, "the clinic h"), ("Lena Park", 1, 'said "It che')] in stances


def test_a_claim_inside_a_noun_phrase_is_its_possessors() -> None:
    located = _located(
        "The army rejected the rebels' claim that 300 soldiers had died in the ambush.",
        ("The army", "rejected", "the rebels' claim that 300 soldiers had died", "denial"),
    )
    remember_parts((loc.claim, loc.sentence) for loc in located)
    (inner,) = stance.embedded_statements(located)
    claim = inner.claim
    assert (claim.claimant, claim.cue.text, claim.content.text) == (
        "the rebels",
        "claim",
        "that 300 soldiers had died in the ambush",
    )


def test_a_report_described_as_alleging_something_is_its_claimant() -> None:
    located = _located(
        "The lawyer cited press reports alleging that the contract had been signed in secret.",
        ("The lawyer", "cited", "press reports alleging that the contract", "other"),
    )
    remember_parts((loc.claim, loc.sentence) for loc in located)
    assert [(d.claim.claimant, d.claim.cue.text) for d in stance.embedded_statements(located)] == [
        ("press reports", "alleging")
    ]


def test_a_pronoun_possessor_is_left_to_the_extractor() -> None:
    located = _located(
        "She rejected his claim that the vote had been rigged.",
        ("She", "rejected", "his claim that the vote had been rigged", "denial"),
    )
    assert stance.embedded_statements(located) == []


def test_a_denial_of_a_claim_it_reports_answers_that_claimant(embedder: Embedder) -> None:
    located = _located(
        "The port authority rejected the shipping union's assertion that the cranes were "
        "unsafe to operate.",
        (
            "port authority",
            "rejected",
            "the shipping union's assertion that the cranes were unsafe to operate",
            "denial",
        ),
    )
    assert {("the shipping union", 0), ("port authority", 1)} in _stances(located, embedder)


def test_a_rebutting_claimant_answers_until_another_claimant_speaks(
    embedder: Embedder,
) -> None:
    located = _located(
        "The mayor said the water plant had stayed open through the storm. "
        "Nurse Ana Ruiz rejected the mayor's account. "
        '"We carried water in buckets for three days," Ruiz said. '
        '"He lied to all of us," Ruiz said.',
        ("The mayor", "said", "the water plant had stayed open through the storm", "indirect"),
        ("Ana Ruiz", "rejected", "the mayor's account", "denial"),
        ("Ana Ruiz", "said", '"We carried water in buckets for three days,"', "direct"),
        ("Ana Ruiz", "said", '"He lied to all of us,"', "direct"),
    )
    found = ConflictFinder(embedder).conflicts(located)
    stances = [[(p.claimant, p.side, p.value[-8:]) for p in c.positions] for c, _ in found]
    assert [("The mayor", 0, "he storm"), ("Ana Ruiz", 1, ' of us,"')] in stances


def test_a_rebuttal_after_another_claimant_speaks_is_not_carried_on(
    embedder: Embedder,
) -> None:
    located = _located(
        "The mayor said the water plant had stayed open through the storm. "
        "Nurse Ana Ruiz rejected the mayor's account. "
        "The governor said the plant would be inspected next week. "
        '"He lied to all of us," Ruiz said.',
        ("The mayor", "said", "the water plant had stayed open through the storm", "indirect"),
        ("Ana Ruiz", "rejected", "the mayor's account", "denial"),
        ("The governor", "said", "the plant would be inspected next week", "indirect"),
        ("Ana Ruiz", "said", '"He lied to all of us,"', "direct"),
    )
    found = ConflictFinder(embedder).conflicts(located)
    assert not any(
        ("The mayor", 0) in {(p.claimant, p.side) for p in c.positions}
        and any(p.value.endswith('of us,"') for p in c.positions)
        for c, _ in found
    )
