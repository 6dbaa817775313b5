"""Conflicts: figures parsed from claims, disagreements found, revisions told apart."""

from __future__ import annotations

from dataclasses import replace

import pytest

from app import facts
from app.conflicts import (
    ConflictFinder,
    Found,
    Located,
    claim_date,
    claimant_key,
    locate,
    renumber,
)
from app.generate.base import Answer, ArticleRef, Citation, Passage
from app.questions import asks_about_disagreement
from indexer.embed import Embedder
from indexer.models import Chunk, Claim, Sentence, Span
from indexer.sentence_parses import remember_parts
from tests.app.test_verify import _Recording

# An article of our own: two ministries disagree on flood deaths, a mayor denies what a
# newspaper reported, and the health ministry revises its own count a week later.
TEXT = (
    "The health ministry said on March 3 that 120 people were killed and 400 injured. "
    "The interior ministry estimated that 310 people had died. "
    "The Courier reported that the dam had been opened without warning. "
    "Mayor Ana Ruiz denied reports that the dam had been opened without warning. "
    "The health ministry said on March 10 that 180 people were killed."
)


def _sentence_spans(text: str) -> list[tuple[int, int]]:
    spans, start = [], 0
    for part in text.split(". "):
        end = start + len(part) + (1 if start + len(part) < len(text) else 0)
        spans.append((start, min(end, len(text))))
        start = end + 1
    return spans


def _claim(idx: int, claimant: str, cue: str, content: str, kind: str = "indirect") -> Claim:
    c = TEXT.index(content)
    u = TEXT.index(cue, TEXT.index(claimant.split()[-1]))
    return Claim(
        "flood", idx, claimant, Span(0, 0, ""), Span(u, u + len(cue), cue),
        Span(c, c + len(content), content), kind, ("Daily",), "2025-03-12",
    )  # fmt: skip


CLAIMS = [
    _claim(0, "health ministry", "said", "that 120 people were killed and 400 injured"),
    _claim(1, "interior ministry", "estimated", "that 310 people had died", "estimate"),
    _claim(2, "The Courier", "reported", "that the dam had been opened without warning"),
    _claim(
        3, "Ana Ruiz", "denied", "reports that the dam had been opened without warning", "denial"
    ),
    _claim(4, "health ministry", "said", "that 180 people were killed"),
]
ARTICLE = ArticleRef("flood", "Flood toll disputed", "Daily", "2025-03-12", None)
# A question that asks whether the sources disagree, and one that asks about one claim.
ASKED = "Do the sources agree on the flood?"
NOT_ASKED = "Who said that 120 people were killed?"


def _passage() -> Passage:
    sents = [
        Sentence("flood", i, s, e, TEXT[s:e]) for i, (s, e) in enumerate(_sentence_spans(TEXT))
    ]
    chunk = Chunk(1, "flood", 0, 0, len(TEXT), TEXT, 0, len(sents) - 1)
    return Passage(1, chunk, ARTICLE, sents, CLAIMS, 1.0)


def _cite(p: Passage, *idx: int) -> Answer:
    cites = [
        Citation(n + 1, ARTICLE, p.sentences[i].start, p.sentences[i].end, p.sentences[i].text)
        for n, i in enumerate(idx)
    ]
    return Answer(" ".join(f"x [{c.n}]" for c in cites), cites, "extractive")


def test_claimant_keys_ignore_articles_and_possessives() -> None:
    assert claimant_key("The New York Times") == claimant_key("New York Times")
    assert claimant_key("Seoul's spy agency") == "seoul spy agency"


def test_claim_date_reads_the_sentence_relative_to_publication() -> None:
    assert claim_date("Zelensky said on Feb. 14 that 4,000 died.", "2025-02-27") == "2025-02-14"
    assert claim_date("A Jan. 13 estimate said 300 died.", "2025-02-27") == "2025-01-13"
    assert claim_date("Officials said 300 died.", "2025-02-27") == "2025-02-27"


def test_figures_disagreeing_across_claimants_are_a_conflict(embedder: Embedder) -> None:
    p = _passage()
    conflicts, answer = ConflictFinder(embedder).find(_cite(p, 0), [p], ASKED)
    figs = [c for c in conflicts if c.kind == "figures"]
    assert len(figs) == 1
    sides = {pos.claimant: pos for pos in figs[0].positions}
    assert set(sides) == {"health ministry", "interior ministry"}
    assert "120" in sides["health ministry"].value and "310" in sides["interior ministry"].value
    # Every position is cited, and the answer says the sources disagree.
    for pos in figs[0].positions:
        cited = answer.citations[pos.citation - 1]  # type: ignore[operator]
        assert pos.quote == cited.quote == TEXT[cited.start : cited.end]
    assert "disagree" in answer.text
    # Each side's claim is listed with its citation, for the verifier's claimant check.
    uses = {(u.claim.claimant.lower(), u.citation) for u in answer.claims}
    assert {(pos.claimant.lower(), pos.citation) for pos in figs[0].positions} <= uses


def test_a_later_figure_from_the_same_claimant_is_a_revision(embedder: Embedder) -> None:
    p = _passage()
    conflicts, _ = ConflictFinder(embedder).find(_cite(p, 4), [p], ASKED)
    revisions = [c for c in conflicts if c.kind == "revision"]
    assert len(revisions) == 1 and revisions[0].note is not None
    assert "180 people were killed" in revisions[0].note and "newer" in revisions[0].note
    assert [pos.published for pos in revisions[0].positions] == ["2025-03-03", "2025-03-10"]


def test_a_denial_of_what_another_reports_is_a_stance_conflict(embedder: Embedder) -> None:
    p = _passage()
    conflicts, _ = ConflictFinder(embedder).find(_cite(p, 3), [p], ASKED)
    stance = [c for c in conflicts if c.kind == "stance"]
    assert len(stance) == 1
    assert [pos.claimant for pos in stance[0].positions] == ["The Courier", "Ana Ruiz"]
    assert "opened without warning" in stance[0].about


def test_conflicts_off_the_answers_point_are_left_out(embedder: Embedder) -> None:
    p = _passage()
    answer = _cite(p, 2)  # cites only the newspaper's report, not the figures
    conflicts, same = ConflictFinder(embedder).find(answer, [p], ASKED)
    assert all(c.kind == "stance" for c in conflicts)
    assert len(same.citations) == 2  # the denial was added as a citation


def test_a_stance_comes_with_the_claim_it_answers_whatever_the_question(
    embedder: Embedder,
) -> None:
    # The answer cites only the newspaper's report; the mayor's denial of it bears on it
    # even when the question does not ask about a disagreement.
    p = _passage()
    conflicts, said = ConflictFinder(embedder).find(
        _cite(p, 2), [p], "What did The Courier report about the dam?"
    )
    (stance,) = [c for c in conflicts if c.kind == "stance"]
    assert {pos.claimant for pos in stance.positions} == {"The Courier", "Ana Ruiz"}
    assert len(said.citations) == 2
    # Asked only who reported it, the answer is the report's claimant: no other side.
    conflicts, said = ConflictFinder(embedder).find(
        _cite(p, 2), [p], "Who reported that the dam had been opened without warning?"
    )
    assert not conflicts and len(said.citations) == 1


def test_sides_the_question_did_not_ask_about_add_no_citations(embedder: Embedder) -> None:
    p = _passage()
    conflicts, same = ConflictFinder(embedder).find(_cite(p, 0), [p], NOT_ASKED)
    assert not conflicts and same.citations == _cite(p, 0).citations
    # Both sides already cited: the disagreement is reported, with no citation added.
    conflicts, both = ConflictFinder(embedder).find(_cite(p, 0, 1), [p], NOT_ASKED)
    assert [c.kind for c in conflicts] == ["figures"] and len(both.citations) == 2
    assert "disagree" in both.text


@pytest.mark.parametrize(
    ("question", "asks"),
    [
        ("Do the sources agree on how many soldiers were killed?", True),
        ("Who denied reports that the dam was opened?", True),
        ("Is the toll disputed?", True),
        ("Where is the disagreement over the toll?", True),
        ("Have the troops left the front line?", True),
        ("Who said that the dam was opened without warning?", False),
        ("How many people were killed in the flood?", False),
    ],
)
def test_a_question_asking_about_a_disagreement_is_told_apart(question: str, asks: bool) -> None:
    assert asks_about_disagreement(question) is asks


def test_positions_follow_their_sentences_when_citations_are_renumbered(
    embedder: Embedder,
) -> None:
    p = _passage()
    conflicts, answer = ConflictFinder(embedder).find(_cite(p, 0), [p], ASKED)
    # Verification dropped citation 1 and renumbered the rest, as `remove` mode does.
    kept = [
        Citation(i + 1, c.article, c.start, c.end, c.quote)
        for i, c in enumerate(answer.citations[1:])
    ]
    moved = renumber(conflicts, Answer("x", kept, "extractive"))
    assert all(len(c.positions) >= 2 for c in moved)
    for c in moved:
        for pos in c.positions:
            assert kept[pos.citation - 1].quote == pos.quote  # type: ignore[operator]
    figs = [c for c in moved if c.kind == "figures"]
    assert not figs  # the health ministry's side lost its citation, so no conflict is left


# Another article of our own, read by the real extractor: a toll and a bound that cannot
# both hold, a counter-claim with no denial verb, and two tolls for two different towns.
CAMPS = (
    "Camp deaths disputed\n\n"
    "A United Nations agency said on Monday that at least 50,000 people have died in the camps. "
    "The country's health minister said the number cannot be more than 5,000. "
    "The army said its soldiers killed at least 200 fighters near the border. "
    "The rebels said this report is totally wrong. "
    "The governor of Arlo said 40 people died in Arlo. "
    "The mayor of Benton said 12 people died in Benton."
)


def test_tolls_bounds_and_counter_claims_on_an_extracted_article(embedder: Embedder) -> None:
    from eval.conflicts_eval import claim_reader
    from indexer.models import Article

    article = Article("camps", "Camp deaths disputed", CAMPS, "Daily", "2025-03-12")
    found = ConflictFinder(embedder).conflicts(claim_reader("model")(article))
    sides = {(c.kind, frozenset(p.claimant for p in c.positions)) for c, _ in found}
    assert ("figures", frozenset({"United Nations agency", "country's health minister"})) in sides
    assert ("stance", frozenset({"army", "rebels"})) in sides
    # Different towns: compatible figures, never a conflict.
    assert not any({"governor of Arlo", "mayor of Benton"} & claimants for _, claimants in sides)


def test_a_figure_with_no_predicate_is_compared_without_embedding_one(
    embedder: Embedder,
) -> None:
    from eval.conflicts_eval import claim_reader
    from indexer.models import Article

    text = (
        "Toll\n\nThe health ministry said 120 civilians were killed on Sunday. "
        "The interior ministry said there were 310 civilians."
    )
    recording = _Recording(embedder)
    found = ConflictFinder(recording).conflicts(
        claim_reader("model")(Article("toll", "Toll", text, "Daily", "2025-03-12"))
    )
    sides = {frozenset(p.claimant for p in c.positions) for c, _ in found if c.kind == "figures"}
    assert sides == {frozenset({"health ministry", "interior ministry"})}
    # "there were 310 civilians" states no predicate: an unstated part agrees with any.
    assert "kill" in recording.texts and "" not in recording.texts


def test_the_missing_are_counted_apart_from_the_dead(embedder: Embedder) -> None:
    from eval.conflicts_eval import claim_reader
    from indexer.models import Article

    text = (
        "Flood toll\n\nThe interior ministry said the toll stood at 310 people. "
        "Officials said about 1,800 were missing."
    )
    located = claim_reader("model")(Article("flood", "Flood toll", text, "Daily", "2025-03-12"))
    assert len(located) == 2
    assert not ConflictFinder(embedder).conflicts(located)


def _located(text: str, *claims: tuple[str, str, str, str]) -> list[Located]:
    """Claims (claimant, cue, content, kind) of an article of our own, each with its
    sentence as the indexer splits it."""
    from indexer.split import parse, sentences

    sents = sentences(parse(text), "own")
    ref = ArticleRef("own", "Own", "Daily", "2025-03-12", None)
    out, at = [], 0
    for claimant, cue, content, kind in claims:
        c = text.index(content, at)
        u = text.rindex(cue, 0, c + 1) if text.rfind(cue, 0, c + 1) >= at else text.index(cue, at)
        at = c
        s = next(s for s in sents if s.start <= c < s.end)
        claim = Claim(
            "own", s.idx, claimant, None, Span(u, u + len(cue), cue),
            Span(c, c + len(content), content), kind, (), "2025-03-12",
        )  # fmt: skip
        out.append(Located(claim, s, ref))
    return out


def test_a_pronoun_is_whom_the_figure_before_it_is_about(embedder: Embedder) -> None:
    located = _located(
        "Forbes lists David Koch with $40 billion. Bloomberg lists him with $55 billion. "
        "Forbes lists Michael Bloomberg with $45 billion.",
        ("Forbes", "lists", "David Koch with $40 billion", "other"),
        ("Bloomberg", "lists", "him with $55 billion", "other"),
        ("Forbes", "lists", "Michael Bloomberg with $45 billion", "other"),
    )
    found = ConflictFinder(embedder).conflicts(located)
    values = [{p.value for p in c.positions} for c, _ in found if c.kind == "figures"]
    assert any({"$40 billion", "$55 billion"} <= v for v in values)
    # Bloomberg the list is not what Michael Bloomberg's figure is about: another person.
    assert not any("$45 billion" in v for v in values)


def test_i_never_said_that_answers_the_claim_it_follows(embedder: Embedder) -> None:
    located = _located(
        "Quick said the candidate had called Rubio the senator of Facebook. "
        '"I never said that," Trump said.',
        ("Quick", "said", "the candidate had called Rubio the senator of Facebook", "indirect"),
        ("Trump", "said", '"I never said that,"', "direct"),
    )
    found = ConflictFinder(embedder).conflicts(located)
    stances = [[(p.claimant, p.side) for p in c.positions] for c, _ in found if c.kind == "stance"]
    assert stances == [[("Quick", 0), ("Trump", 1)]]


def test_a_claimant_narrowing_its_words_is_a_revision(embedder: Embedder) -> None:
    located = _located(
        'In 2008 Sharpton said, "Clinton has never done nothing for us." '
        "Sharpton later clarified that to mean Clinton never supported his organization.",
        ("Al Sharpton", "said", '"Clinton has never done nothing for us."', "direct"),
        (
            "Al Sharpton",
            "later clarified that to mean",
            "Clinton never supported his organization",
            "other",
        ),
    )
    found = ConflictFinder(embedder).conflicts(located)
    revised = [c for c, _ in found if c.kind == "revision"]
    assert len(revised) == 1
    assert revised[0].positions[1].value == "Clinton never supported his organization"
    assert revised[0].note is not None and "later said" in revised[0].note


def test_the_generators_conflicts_are_reported_not_found_again(
    embedder: Embedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    p = _passage()
    first = ConflictFinder(embedder).conflicts(locate([p]))
    calls: list[int] = []
    real = ConflictFinder.conflicts

    def counted(self: ConflictFinder, located: list[Located]) -> list[Found]:
        calls.append(1)
        return real(self, located)

    monkeypatch.setattr(ConflictFinder, "conflicts", counted)
    given, _ = ConflictFinder(embedder).find(replace(_cite(p, 0), conflicts=first), [p], ASKED)
    assert given and not calls
    # An answer that carries none (an LLM's) has them found over its passages.
    found, _ = ConflictFinder(embedder).find(_cite(p, 0), [p], ASKED)
    assert calls == [1] and found == given


def test_a_claim_of_the_opposite_polarity_on_the_same_thing_answers_it(
    embedder: Embedder,
) -> None:
    located = _located(
        "The operator said the Arlo bridge is no longer safe for heavy trucks. "
        "The county engineer said the Arlo bridge is still safe for heavy trucks. "
        "The mayor said the Arlo bridge is no longer safe for heavy trucks.",
        ("operator", "said", "the Arlo bridge is no longer safe for heavy trucks", "indirect"),
        ("county engineer", "said", "the Arlo bridge is still safe for heavy trucks", "indirect"),
        ("mayor", "said", "the Arlo bridge is no longer safe for heavy trucks", "indirect"),
    )
    found = ConflictFinder(embedder).conflicts(located)
    stances = [{(p.claimant, p.side) for p in c.positions} for c, _ in found if c.kind == "stance"]
    assert {("operator", 0), ("county engineer", 1)} in stances
    # The mayor agrees with the operator: the same polarity is no contradiction of it.
    assert not any({("operator", 0), ("mayor", 1)} <= s for s in stances)


def test_a_negation_inside_a_relative_clause_is_not_the_claims_polarity(
    embedder: Embedder,
) -> None:
    located = _located(
        "The operator said the Arlo bridge is safe for heavy trucks. "
        "The county engineer said the Arlo bridge, which was not built for them, is safe for "
        "heavy trucks.",
        ("operator", "said", "the Arlo bridge is safe for heavy trucks", "indirect"),
        (
            "county engineer",
            "said",
            "the Arlo bridge, which was not built for them, is safe for heavy trucks",
            "indirect",
        ),
    )
    assert not [c for c, _ in ConflictFinder(embedder).conflicts(located) if c.kind == "stance"]


def test_a_responding_cue_sets_a_claim_against_the_one_before(embedder: Embedder) -> None:
    located = _located(
        "The Courier said that Arlo has the largest harbour on the coast. "
        "The Benton Herald shot back that Benton has the largest harbour on the coast. "
        "The Benton Herald said that Benton has the largest harbour on the coast.",
        ("Courier", "said", "that Arlo has the largest harbour on the coast", "indirect"),
        ("Benton Herald", "shot back", "that Benton has the largest harbour on the coast", "other"),
        ("Benton Herald", "said", "that Benton has the largest harbour on the coast", "indirect"),
    )
    found = ConflictFinder(embedder).conflicts(located)
    stances = [[p.value for p in c.positions] for c, _ in found if c.kind == "stance"]
    assert stances == [
        [
            "Arlo has the largest harbour on the coast",
            "shot back that Benton has the largest harbour on the coast",
        ]
    ]


def test_a_revision_may_share_few_words_with_the_pledge_just_before_it(
    embedder: Embedder,
) -> None:
    located = _located(
        "The president pledged to remove all troops from the country by the summer. "
        "He later revised his plans, saying that 5,500 troops would remain through 2017.",
        ("president", "pledged", "to remove all troops from the country by the summer", "other"),
        ("president", "saying", "that 5,500 troops would remain through 2017", "indirect"),
    )
    found = ConflictFinder(embedder).conflicts(located)
    revised = [[p.value for p in c.positions] for c, _ in found if c.kind == "revision"]
    assert revised == [
        [
            "to remove all troops from the country by the summer",
            "5,500 troops would remain through 2017",
        ]
    ]


def test_three_tolls_on_one_measure_are_one_disagreement_of_three_sides(
    embedder: Embedder,
) -> None:
    text = (
        "The health ministry said 120 people died in the floods. "
        "The interior ministry said 310 people died in the floods. "
        "The disaster agency said 310 people died in the floods. "
        "The army said 95 people died in the floods."
    )
    claims = [
        (who, "said", f"{n} people died in the floods", "indirect")
        for who, n in (
            ("health ministry", 120),
            ("interior ministry", 310),
            ("disaster agency", 310),
            ("army", 95),
        )
    ]
    located = _located(text, *claims)
    (found,) = [c for c, _ in ConflictFinder(embedder).conflicts(located) if c.kind == "figures"]
    assert len({p.side for p in found.positions}) == 3
    ref = located[0].article
    cites = [Citation(k + 1, ref, s.start, s.end, s.text) for k, s in enumerate(
        loc.sentence for loc in located
    )]  # fmt: skip
    answer = Answer(" ".join(f"x [{c.n}]" for c in cites), cites, "extractive")
    passage = Passage(
        1,
        Chunk(1, "own", 0, 0, len(text), text, 0, len(located) - 1),
        ref,
        [loc.sentence for loc in located],
        [loc.claim for loc in located],
        1.0,
    )
    conflicts, said = ConflictFinder(embedder).find(answer, [passage], ASKED)
    (figures,) = [c for c in conflicts if c.kind == "figures"]
    by = {p.claimant: p for p in figures.positions}
    assert set(by) == {"health ministry", "interior ministry", "disaster agency", "army"}
    # The two that give the same toll stand on one side; the others each on their own.
    assert by["interior ministry"].side == by["disaster agency"].side
    assert len({p.side for p in figures.positions}) == 3
    assert said.text.count("disagree") == 1


def test_their_in_a_toll_speaks_of_the_counted_not_of_the_claimant(embedder: Embedder) -> None:
    # "their lives" is the dead's, not the ministry's or the rescue group's: the two
    # figures are about the same people and disagree.
    located = _located(
        "The ministry said 40 villagers lost their lives. "
        "A rescue group said 400 villagers lost their lives.",
        ("The ministry", "said", "40 villagers lost their lives", "indirect"),
        ("rescue group", "said", "400 villagers lost their lives", "indirect"),
    )
    remember_parts((loc.claim, loc.sentence) for loc in located)
    found = ConflictFinder(embedder).conflicts(located)
    values = [{p.value.split()[0] for p in c.positions} for c, _ in found if c.kind == "figures"]
    assert {"40", "400"} in values


def test_his_in_a_figure_still_names_the_claimant() -> None:
    doc = facts.parsed("Trump said his net worth exceeds $10 billion.")
    (figure,) = facts.figures(doc)
    assert figure.pronoun == "possessive"


def test_one_articles_tolls_by_different_words_are_one_disagreement(embedder: Embedder) -> None:
    # "killed in the earthquake", "had died" and "were confirmed dead": one measure in one
    # article, where the figures that name no place are of the article's event.
    located = _located(
        "The interior ministry said 1,240 people were killed in the earthquake. "
        "The defence ministry said 2,300 people had died. "
        "The disaster agency said 980 people were confirmed dead.",
        ("interior ministry", "said", "1,240 people were killed in the earthquake", "indirect"),
        ("defence ministry", "said", "2,300 people had died", "indirect"),
        ("disaster agency", "said", "980 people were confirmed dead", "indirect"),
    )
    (found,) = [c for c, _ in ConflictFinder(embedder).conflicts(located) if c.kind == "figures"]
    assert len({p.side for p in found.positions}) == 3


def _elsewhere(located: list[Located]) -> list[Located]:
    """The same claims as another article's."""
    return [
        replace(loc, claim=replace(loc.claim, article_id="other"),
                sentence=replace(loc.sentence, article_id="other"))
        for loc in located
    ]  # fmt: skip


def test_a_figure_that_names_no_place_is_not_compared_with_another_articles(
    embedder: Embedder,
) -> None:
    quake = _located(
        "The interior ministry said 1,240 people were killed in the earthquake.",
        ("interior ministry", "said", "1,240 people were killed in the earthquake", "indirect"),
    )
    other = _elsewhere(
        _located(
            "The government said 312 people died.",
            ("government", "said", "312 people died", "indirect"),
        )
    )
    assert not [c for c, _ in ConflictFinder(embedder).conflicts(quake + other)]


@pytest.mark.parametrize(
    ("first", "second"),
    [
        # Percentages that say nothing of what they are a percentage of, in two reports
        # that both speak of tax: a surcharge and a rise in incomes.
        (
            ("The treasury said it would impose a 4 percent surcharge on the tax.",
             ("treasury", "said", "it would impose a 4 percent surcharge on the tax",
              "indirect")),
            ("A think tank said incomes after tax would go up by as much as 19.9 percent.",
             ("think tank", "said", "incomes after tax would go up by as much as 19.9 percent",
              "indirect")),
        ),
        # What a share of earners paid, and a poll's share of voters.
        (
            ("The agency said the middle fifth paid 8.9 percent in tax.",
             ("agency", "said", "the middle fifth paid 8.9 percent in tax", "indirect")),
            ("A poll found that 74 percent of voters said the senator should release his tax "
             "returns.",
             ("poll", "found", "74 percent of voters said the senator should release his tax "
              "returns", "indirect")),
        ),
    ],
)  # fmt: skip
def test_figures_saying_only_their_unit_are_not_compared_across_articles(
    embedder: Embedder,
    first: tuple[str, tuple[str, str, str, str]],
    second: tuple[str, tuple[str, str, str, str]],
) -> None:
    located = _located(*first) + _elsewhere(_located(*second))
    assert not [c for c, _ in ConflictFinder(embedder).conflicts(located)]


@pytest.mark.parametrize(
    ("text", "claims"),
    [
        # A lead among some voters is not the lead among all of them.
        ("The Courier said the mayor leads by 3 points. The Herald said the mayor leads by "
         "20 points among young voters.",
         [("Courier", "said", "the mayor leads by 3 points", "indirect"),
          ("Herald", "said", "the mayor leads by 20 points among young voters", "indirect")]),
        # A question states no figure.
        ("The fire service said 40 people died in the fire. The mayor asked: “Why did 90 "
         "people die in the fire?”",
         [("fire service", "said", "40 people died in the fire", "indirect"),
          ("mayor", "asked", "Why did 90 people die in the fire?", "other")]),
    ],
)  # fmt: skip
def test_a_part_or_a_question_is_no_figure_against_the_whole(
    embedder: Embedder, text: str, claims: list[tuple[str, str, str, str]]
) -> None:
    located = _located(text, *claims)
    assert not [c for c, _ in ConflictFinder(embedder).conflicts(located) if c.kind == "figures"]


def test_the_number_refers_to_the_figure_it_answers(embedder: Embedder) -> None:
    located = _located(
        "At least 50,000 people have died in the camps, the agency said. "
        "Its spokeswoman said most were children. "
        "The minister rejected the figure. "
        "The number cannot be more than 5,000, he told reporters.",
        ("agency", "said", "At least 50,000 people have died in the camps", "indirect"),
        ("minister", "told", "The number cannot be more than 5,000", "told"),
    )
    (found,) = [c for c, _ in ConflictFinder(embedder).conflicts(located) if c.kind == "figures"]
    assert {p.value for p in found.positions} == {
        "At least 50,000 people have died",
        "cannot be more than 5,000",
    }


def test_a_headlines_claims_take_no_part_in_conflicts() -> None:
    text = (
        "Agency says thousands died in camps\n\n"
        "At least 50,000 people have died in the camps, the agency said."
    )
    from indexer.split import parse, sentences

    sents = sentences(parse(text), "own")
    head, body = sents[0], sents[-1]
    claims = [
        Claim("own", head.idx, "Agency", None, Span(7, 11, "says"),
              Span(12, 35, "thousands died in camps"), "indirect", (), None),
        Claim("own", body.idx, "agency", None, Span(text.rindex("said"), len(text) - 1, "said"),
              Span(body.start, body.start + 45, text[body.start : body.start + 45]),
              "indirect", (), None),
    ]  # fmt: skip
    chunk = Chunk(1, "own", 0, 0, len(text), text, 0, len(sents) - 1)
    passage = Passage(1, chunk, ArticleRef("own", "Own", None, None, None), sents, claims, 1.0)
    assert [loc.claim.claimant for loc in locate([passage])] == ["agency"]


def test_a_claim_giving_two_values_of_one_measure_gives_no_position(embedder: Embedder) -> None:
    # "leading 51 percent to 44 percent" holds two candidates' shares; read as one measure,
    # the poll would stand on two sides against itself. The reader cannot tell which share
    # is whose, so neither is set against the other poll's.
    located = _located(
        "The Harbor poll showed the mayor leading the challenger 51 percent to 44 percent. "
        "The Marlow poll shows the challenger leading the mayor 48 percent to 46 percent.",
        ("Harbor poll", "showed", "the mayor leading the challenger 51 percent to 44 percent",
         "indirect"),
        ("Marlow poll", "shows", "the challenger leading the mayor 48 percent to 46 percent",
         "indirect"),
    )  # fmt: skip
    found = [c for c, _ in ConflictFinder(embedder).conflicts(located) if c.kind == "figures"]
    for conflict in found:
        sides = {}
        for p in conflict.positions:
            sides.setdefault(p.claimant, set()).add(p.side)
        assert all(len(s) == 1 for s in sides.values()), conflict.positions
    assert not found


def test_a_revision_that_names_no_content_revises_the_claim_just_before_it(
    embedder: Embedder,
) -> None:
    # "his opposition" says nothing of its own to be compared by: what it takes back is
    # the claimant's claim just before it, not an older one closer in words, and it
    # answers no one else's.
    located = _located(
        "Councillor Ames said the old bridge had served the town well. "
        "Mayor Grant said the new bridge would open in May. "
        "Grant said in March that the old bridge was a terrible mistake. "
        "He later denied his opposition in a radio interview.",
        ("Ames", "said", "the old bridge had served the town well", "indirect"),
        ("Grant", "said", "the new bridge would open in May", "indirect"),
        ("Grant", "said", "that the old bridge was a terrible mistake", "indirect"),
        ("Grant", "later denied", "his opposition", "denial"),
    )
    found = ConflictFinder(embedder).conflicts(located)
    revised = [[p.value for p in c.positions] for c, _ in found if c.kind == "revision"]
    assert revised and all("terrible mistake" in r[0] for r in revised), revised
    stances = [c for c, _ in found if c.kind == "stance"]
    assert not any("his opposition" in p.value for c in stances for p in c.positions)


def test_a_stance_is_about_what_the_answered_claim_says(embedder: Embedder) -> None:
    # What is disputed is the claim answered, as it was reported, not the counter-claim's
    # own words (which may be a rebuttal: "was not her view and dismissed ...").
    located = _located(
        "The Courier reported that engineers had opened the dam at night without any "
        "warning. The mayor denied that the dam was opened without warning by the engineers.",
        ("The Courier", "reported", "that engineers had opened the dam at night without any "
         "warning", "indirect"),
        ("The mayor", "denied", "that the dam was opened without warning by the engineers",
         "denial"),
    )  # fmt: skip
    stances = [c for c, _ in ConflictFinder(embedder).conflicts(located) if c.kind == "stance"]
    assert [c.about for c in stances] == [
        "whether engineers had opened the dam at night without any warning"
    ]
