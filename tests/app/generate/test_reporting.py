"""Claims restated as a reporter writes them, from sentences and claims built by hand."""

from __future__ import annotations

from dataclasses import replace

from app.generate.base import ArticleRef
from app.generate.reporting import bylined, prose_text, reported, written_date
from app.verify import support
from indexer.embed import Embedder
from indexer.models import Claim, Sentence, Span

ARTICLE = ArticleRef("flood", "Flood toll disputed", "Coast Post", "2025-03-04", None)


def _claim(text: str, mention: str, cue: str, content: str, kind: str = "indirect") -> Claim:
    def span(words: str) -> Span:
        at = text.index(words)
        return Span(at, at + len(words), words)

    return Claim("flood", 0, mention, span(mention), span(cue), span(content), kind)


def _sentence(text: str) -> Sentence:
    return Sentence("flood", 0, 0, len(text), text)


def test_dates_are_written_as_news_writes_them() -> None:
    assert written_date("2016-09-12") == "Sept. 12, 2016"
    assert written_date("2025-03-04") == "March 4, 2025"
    assert written_date("not a date") is None
    assert written_date(None) is None


def test_a_claim_is_restated_with_its_claimant_outlet_and_date() -> None:
    text = "The country's health minister said on March 3 that the number could not be more than 5,000."
    claim = _claim(
        text, "The country's health minister", "said", "the number could not be more than 5,000"
    )
    assert reported(_sentence(text), claim, ARTICLE, text) == (
        "The country's health minister said on March 3 that the number could not be more "
        "than 5,000, Coast Post reported on March 4, 2025."
    )


def test_content_before_its_cue_is_restated_after_the_claimant() -> None:
    text = "At least 50,000 people have died in the camps, the relief agency said on Tuesday."
    claim = _claim(
        text, "the relief agency", "said", "At least 50,000 people have died in the camps"
    )
    assert reported(_sentence(text), claim, ARTICLE, text) == (
        "The relief agency said on Tuesday that at least 50,000 people have died in the "
        "camps, Coast Post reported on March 4, 2025."
    )
    quote = '"We have lost everything," said the mayor, who toured the camps.'
    direct = _claim(quote, "the mayor", "said", '"We have lost everything,"', kind="direct")
    assert reported(_sentence(quote), direct, ARTICLE, quote) == (
        'The mayor said: "We have lost everything", Coast Post reported on March 4, 2025.'
    )


def test_a_claim_whose_parts_make_no_sentence_is_not_restated() -> None:
    text = "One senator threatened to make the minister testify, should he fail to answer."
    cut = _claim(text, "One senator", "threatened", "to make the minister testify, should he")
    assert reported(_sentence(text), cut, ARTICLE, text) is None
    nested = "The agency said that the minister told reporters the toll was 300."
    inner = _claim(
        nested, "The agency", "said", "that the minister told reporters the toll was 300"
    )
    assert reported(_sentence(nested), inner, ARTICLE, nested) is None


def test_a_claim_under_a_condition_or_a_negation_is_not_restated() -> None:
    # Restated, "Mr. Grant had any intention of ..." would drop the "If" and say what the
    # sentence says is not so; "The mayor said ..." would drop the "never".
    text = "If Mr. Grant had any intention of selling the port, he would have done so by now."
    cond = _claim(text, "Mr. Grant", "had any intention of", "selling the port")
    assert reported(_sentence(text), cond, ARTICLE, text) is None
    text = "The mayor never said that the dam had been opened."
    never = _claim(text, "The mayor", "said", "the dam had been opened")
    assert reported(_sentence(text), never, ARTICLE, text) is None
    text = "The mayor said that the dam had been opened, but the police did not agree."
    said = _claim(text, "The mayor", "said", "the dam had been opened")
    assert reported(_sentence(text), said, ARTICLE, text) == (
        "The mayor said that the dam had been opened, Coast Post reported on March 4, 2025."
    )


def test_a_pronoun_is_restated_only_as_a_name_the_prose_gives() -> None:
    lines = [
        "Moreau Disputes Toll",
        "RIVERTON (Coast Post) - Hana Moreau toured the camps.",
        "She said the toll was far lower.",
    ]
    report = [Sentence("flood", i, 0, len(t), t) for i, t in enumerate(lines)]
    sentence = report[2]
    claim = replace(
        _claim(sentence.text, "She", "said", "the toll was far lower"),
        sentence_idx=2,
        claimant="Hana Moreau",
    )
    in_prose = prose_text(report, {("flood", 0)})["flood"]
    assert reported(sentence, claim, ARTICLE, in_prose) == (
        "Hana Moreau said the toll was far lower, Coast Post reported on March 4, 2025."
    )
    # Named only in the headline and the dateline: the pronoun is not resolved to it.
    dateline = "Moreau Hall, Riverton (Coast Post) - The camps flooded."
    unnamed = prose_text(
        [report[0], Sentence("flood", 1, 0, len(dateline), dateline)], {("flood", 0)}
    )
    assert reported(sentence, claim, ARTICLE, unnamed.get("flood", "")) is None


def test_a_quoted_sentence_gets_its_byline_in_place_of_its_dateline() -> None:
    text = "RIVERTON (Coast Post) - Water rose two metres overnight."
    assert bylined(text, [], ARTICLE) == (
        "Water rose two metres overnight, Coast Post reported on March 4, 2025."
    )
    # A sentence crediting someone no claim of it names is left as quoted: the verifier
    # would hold the added byline against it.
    said = "The governor said water rose two metres overnight."
    assert bylined(said, [], ARTICLE) == said


def test_the_verifier_accepts_the_outlet_and_date_of_what_it_cites(embedder: Embedder) -> None:
    text = "The country's health minister said on March 3 that the number could not be more than 5,000."
    claim = _claim(
        text, "The country's health minister", "said", "the number could not be more than 5,000"
    )
    restated = reported(_sentence(text), claim, ARTICLE, text)
    assert restated is not None
    context = ("Coast Post", "2025-03-04", "March 4, 2025")
    names = [claim.claimant]
    assert support(restated, [text], embedder, names, context).supported
    bare = support(restated, [text], embedder, names)
    assert not bare.supported and any("2025" in r for r in bare.reasons)
    # The context backs only itself: another outlet or date is still unsupported.
    other = restated.replace("March 4, 2025", "March 9, 2025").replace("Coast", "Harbour")
    assert not support(other, [text], embedder, names, context).supported
