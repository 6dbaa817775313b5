"""The extractive generator on passages built by hand from a text of our own."""

from __future__ import annotations

from dataclasses import replace

import pytest

from app.generate.base import ArticleRef, Passage
from app.generate.extractive import NOTHING_FOUND, ExtractiveGenerator, attributed, uncovered
from app.generate.reporting import prose_text
from app.verify import form_problems
from indexer.embed import Embedder
from indexer.models import Chunk, Claim, Sentence, Span

TEXT = (
    "The harbour authority said on May 2 that 40 ships were delayed by the storm. "
    "He added that the port would reopen on Friday."
)
FIRST = TEXT.index("He added")
ARTICLE = ArticleRef("port", "Storm delays ships", "Coast Post", "2025-05-03", None)


def _passage() -> Passage:
    sents = [
        Sentence("port", 0, 0, FIRST - 1, TEXT[: FIRST - 1]),
        Sentence("port", 1, FIRST, len(TEXT), TEXT[FIRST:]),
    ]
    content = "that the port would reopen on Friday"
    c = TEXT.index(content)
    claim = Claim(
        "port", 1, "harbour authority", Span(FIRST, FIRST + 2, "He"),
        Span(FIRST + 3, FIRST + 8, "added"), Span(c, c + len(content), content), "indirect",
    )  # fmt: skip
    return Passage(1, Chunk(1, "port", 0, 0, len(TEXT), TEXT, 0, 1), ARTICLE, sents, [claim], 1.0)


def test_answer_quotes_sentences_and_puts_the_claimant_for_a_pronoun(embedder: Embedder) -> None:
    gen = ExtractiveGenerator(embedder, min_similarity=0.3, max_sentences=4)
    answer = gen.generate("When will the port reopen after the storm?", [_passage()])
    assert answer.citations
    for c in answer.citations:
        assert TEXT[c.start : c.end] == c.quote and f"[{c.n}]" in answer.text
    assert "Harbour authority added that the port would reopen on Friday. [" in answer.text
    assert [u.claim.claimant for u in answer.claims] == ["harbour authority"]


def test_question_about_what_no_passage_mentions_is_refused(embedder: Embedder) -> None:
    gen = ExtractiveGenerator(embedder, min_similarity=0.3, max_sentences=4)
    answer = gen.generate("What did Mayor Lindqvist say about the storm?", [_passage()])
    assert answer.text.startswith(NOTHING_FOUND) and "lindqvist" in answer.text
    assert answer.citations == []


def test_uncovered_tells_names_and_topics_from_question_framing() -> None:
    p = [_passage()]
    assert uncovered("On what date did the harbour authority say ships were delayed?", p) is None
    assert uncovered("How many ships were delayed in total?", p) is None
    assert uncovered("What did Oslo say about the ships?", p) == '"oslo"'
    assert uncovered("How much insurance money was paid?", p) is not None
    assert uncovered("How many tankers sank?", p) is not None


def test_a_sentence_naming_its_claimant_is_not_led_by_a_nested_one() -> None:
    text = "Senator Hale warned the minister, daring him to say that the port was safe."
    sentence = Sentence("port", 0, 0, len(text), text)

    def claim(claimant: str, mention: str, cue: str, content: str) -> Claim:
        m, u, c = text.index(mention), text.index(cue), text.index(content)
        return Claim("port", 0, claimant, Span(m, m + len(mention), mention),
                     Span(u, u + len(cue), cue), Span(c, c + len(content), content), "indirect")  # fmt: skip

    prose = "Ivo Brandt, the port minister, spoke on Monday."
    hale = claim("Hale", "Senator Hale", "warned", "the minister")
    minister = claim("Ivo Brandt", "him", "say", "that the port was safe")
    assert attributed(sentence, [hale, minister], prose) == text
    assert attributed(sentence, [minister], prose) == text.replace("him", "Ivo Brandt")
    described = claim("Ivo Brandt", "the minister", "warned", "the minister")
    assert attributed(sentence, [described], prose).startswith(
        "Senator Hale warned the minister (Ivo Brandt), daring"
    )
    # A name no sentence of the report gives (only a headline's or a dateline's words)
    # never stands in for a pronoun.
    lines = ["Ivo Brandt Resigns", "IVO BRANDT (Coast Post) - The port reopened on Friday."]
    report = [Sentence("port", i, 0, len(t), t) for i, t in enumerate(lines)]
    headline_only = prose_text(report, {("port", 0)})["port"]
    assert attributed(sentence, [minister], headline_only) == text


def _lines_passage(lines: list[str], gap: str = "\n\n") -> Passage:
    text = gap.join(lines)
    sents, start = [], 0
    for i, line in enumerate(lines):
        sents.append(Sentence("dam", i, start, start + len(line), line))
        start += len(line) + len(gap)
    ref = ArticleRef("dam", lines[0], "River Wire", "2025-06-01", None)
    chunk = Chunk(1, "dam", 0, 0, len(text), text, 0, len(lines) - 1)
    return Passage(1, chunk, ref, sents, [], 1.0)


def test_a_headline_is_no_answer_sentence_unless_asked_for(embedder: Embedder) -> None:
    passage = _lines_passage(
        [
            "Dam Breach Floods Valley Villages",
            "Water from the breached dam flooded four villages in the valley on Tuesday.",
        ]
    )
    gen = ExtractiveGenerator(embedder, min_similarity=0.3, max_sentences=4)
    answer = gen.generate("Which villages did the dam breach flood?", [passage])
    assert [c.quote for c in answer.citations] == [passage.sentences[1].text]
    asked = gen.generate("What was the headline about the dam breach flooding villages?", [passage])
    assert passage.sentences[0].text in [c.quote for c in asked.citations]


# Lines end as the article's file ends them: "\r\n" from Windows.
@pytest.mark.parametrize("gap", ["\n\n", "\r\n\r\n"])
def test_a_headline_written_as_a_sentence_is_no_answer_sentence(
    embedder: Embedder, gap: str
) -> None:
    passage = _lines_passage(
        [
            "Dam breach floods four valley villages.",
            "Water from the breached dam flooded four villages in the valley on Tuesday.",
            "Short lines of prose in the body are kept.",
        ],
        gap,
    )
    gen = ExtractiveGenerator(embedder, min_similarity=0.1, max_sentences=4)
    answer = gen.generate("Which villages did the dam breach flood?", [passage])
    quotes = [c.quote for c in answer.citations]
    assert passage.sentences[1].text in quotes
    assert passage.sentences[0].text not in quotes


def test_the_sentence_with_the_asked_figure_comes_first(embedder: Embedder) -> None:
    passage = _lines_passage(
        [
            "People died in the flooded villages when the dam broke, rescuers said.",
            "The regional governor said 37 people had died in the floods.",
        ]
    )
    gen = ExtractiveGenerator(embedder, min_similarity=0.2, max_sentences=4)
    answer = gen.generate("How many people died in the flooded villages?", [passage])
    assert answer.citations[0].quote == passage.sentences[1].text


def test_a_who_said_answer_names_claimant_outlet_and_date(embedder: Embedder) -> None:
    gen = ExtractiveGenerator(embedder, min_similarity=0.3, max_sentences=4)
    answer = gen.generate("Who said the port would reopen on Friday?", [_passage()])
    assert (
        "Harbour authority added that the port would reopen on Friday, Coast Post reported "
        "on May 3, 2025. [1]"
    ) in answer.text
    first = answer.citations[0]
    assert TEXT[first.start : first.end] == first.quote == _passage().sentences[1].text


def _article(aid: str, outlet: str, text: str, claimant: str, mention: str, cue: str,
             content: str) -> Passage:  # fmt: skip
    def span(words: str) -> Span:
        at = text.index(words)
        return Span(at, at + len(words), words)

    claim = Claim(aid, 0, claimant, span(mention), span(cue), span(content), "indirect")
    ref = ArticleRef(aid, f"Floods in {outlet}", outlet, "2025-06-02", None)
    chunk = Chunk(1, aid, 0, 0, len(text), text, 0, 0)
    return Passage(1, chunk, ref, [Sentence(aid, 0, 0, len(text), text)], [claim], 1.0)


def test_disagreeing_positions_stand_side_by_side_each_with_its_claimant(
    embedder: Embedder,
) -> None:
    ministry = "The health ministry said on June 1 that 310 people died in the floods."
    governor = "The regional governor said that no more than 40 people died in the floods."
    unrelated = "Rescue teams from three provinces reached the flooded valley on Sunday."
    passages = [
        _article("a", "River Wire", ministry, "health ministry", "The health ministry", "said",
                 "310 people died in the floods"),
        _article("b", "Valley News", unrelated, "Rescue teams", "Rescue teams", "reached",
                 "the flooded valley on Sunday"),
        _article("c", "Coast Post", governor, "regional governor", "The regional governor",
                 "said", "no more than 40 people died in the floods"),
    ]  # fmt: skip
    # One sentence is picked; the other side of its disagreement joins it.
    gen = ExtractiveGenerator(embedder, min_similarity=0.1, max_sentences=1)
    answer = gen.generate("How many people died in the floods?", passages)
    quotes = [c.quote for c in answer.citations]
    assert ministry in quotes and governor in quotes
    assert abs(quotes.index(ministry) - quotes.index(governor)) == 1
    assert "The health ministry said on June 1 that 310 people died" in answer.text
    assert "The regional governor said that no more than 40 people died" in answer.text
    assert "River Wire reported on June 2, 2025" in answer.text
    assert "Coast Post reported on June 2, 2025" in answer.text


def test_a_bracketed_number_in_an_article_is_no_citation_of_the_answer(
    embedder: Embedder,
) -> None:
    text = "The harbour authority said on May 2 that 40 ships were delayed [2]."
    sents = [Sentence("port", 0, 0, len(text), text)]

    def span(words: str) -> Span:
        at = text.index(words)
        return Span(at, at + len(words), words)

    claim = Claim(
        "port", 0, "harbour authority", span("The harbour authority"), span("said"),
        span("40 ships were delayed"), "indirect",
    )  # fmt: skip
    passage = Passage(1, Chunk(1, "port", 0, 0, len(text), text, 0, 0), ARTICLE, sents, [], 1.0)
    gen = ExtractiveGenerator(embedder, min_similarity=0.1, max_sentences=4)
    for claims in ([], [claim]):
        p = replace(passage, claims=claims)
        answer = gen.generate("Who said how many ships were delayed?", [p])
        assert "[2]" not in answer.text and answer.text.endswith("[1]"), answer.text


def test_a_sentence_inside_a_quotation_is_credited_to_who_is_quoted(embedder: Embedder) -> None:
    text = (
        '"The levee held for three days before the water rose past it. Nobody expected '
        'the second surge," Ines Varga, the county engineer, said on Monday.'
    )
    split = text.index(" Nobody")
    sents = [
        Sentence("dam", 0, 0, split, text[:split]),
        Sentence("dam", 1, split + 1, len(text), text[split + 1 :]),
    ]
    content = text[: text.index(",")]
    mention, cue = "Ines Varga, the county engineer", "said"
    m, u = text.index(mention), text.index(cue)
    claim = Claim(
        "dam", 1, "Ines Varga", Span(m, m + len(mention), mention),
        Span(u, u + len(cue), cue), Span(0, len(content), content), "direct",
    )  # fmt: skip
    ref = ArticleRef("dam", "Levee", "River Wire", "2025-06-01", None)
    passage = Passage(1, Chunk(1, "dam", 0, 0, len(text), text, 0, 1), ref, sents, [claim], 1.0)
    gen = ExtractiveGenerator(embedder, min_similarity=0.1, max_sentences=1)
    answer = gen.generate(
        "Who said the levee held for three days before the water rose?", [passage]
    )
    assert answer.citations[0].quote == sents[0].text
    # The first sentence holds no cue, but it is the engineer's words.
    assert answer.text == (
        "Ines Varga said: “The levee held for three days before the water rose past it”, "
        "River Wire reported on June 1, 2025. [1]"
    )
    # The verifier reads the quoted "I" or "we" as the claimant's, not the answer's.
    assert form_problems(answer.text.removesuffix(" [1]"), [sents[0].text]) == []
    # A quoted question stays as quoted: restated, it would read as the answer's question.
    asked = replace(sents[0], text=sents[0].text.replace("rose past it.", "rose past it?"))
    assert attributed(asked, [claim], text) == asked.text
    assert [(u.claim.claimant, u.citation) for u in answer.claims] == [("Ines Varga", 1)]
