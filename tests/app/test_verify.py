"""The citation verifier: the pure support check, and whole answers over the sample index."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from app.verify import attributions, framed, numbers, split_sentences, support
from indexer.embed import Embedder, Vectors

ZELENSKY = (
    "President Volodymyr Zelensky said on Feb. 14 that North Korean troops fighting for "
    "Russia against Ukraine have suffered 4,000 casualties, two-thirds of whom have been killed."
)
CLAIMANTS = ["Volodymyr Zelensky", "President Volodymyr Zelensky"]


def _support(sentence: str, embedder: Embedder) -> tuple[bool, list[str]]:
    verdict = support(sentence, [ZELENSKY], embedder, CLAIMANTS)
    return verdict.supported, verdict.reasons


@pytest.mark.parametrize(
    "sentence",
    [
        "Zelensky said North Korean troops suffered 4000 casualties, 2/3 of them killed [1].",
        "Zelensky said on February 14 that North Korean troops suffered 4 000 casualties.",
        "According to Zelensky, North Korean troops fighting for Russia have suffered 4,000 "
        "casualties.",
        "Ukraine's president said North Korean troops have suffered 4,000 casualties [2].",
    ],
)
def test_support_accepts_the_same_facts_in_other_words(sentence: str, embedder: Embedder) -> None:
    assert _support(sentence, embedder) == (True, [])


@pytest.mark.parametrize(
    ("sentence", "reason"),
    [
        ("Zelensky said North Korean troops suffered 5,000 casualties.", "does not mention 5,000"),
        ("Zelensky said on March 14 that North Korean troops suffered 4,000 casualties.", "does not mention March"),
        ("Budanov said North Korean troops suffered 4,000 casualties.", "cites no claim by Budanov"),
        ("Zelensky said three-quarters of the troops were killed.", "does not mention three-quarters"),
        ("South Korean troops suffered 4,000 casualties.", "does not mention South"),
    ],
)  # fmt: skip
def test_support_rejects_a_changed_fact(sentence: str, reason: str, embedder: Embedder) -> None:
    supported, reasons = _support(sentence, embedder)
    assert not supported
    assert reason in reasons


def test_support_rejects_an_invented_statement_by_the_right_person(embedder: Embedder) -> None:
    supported, reasons = _support("Zelensky said the talks would resume in Geneva.", embedder)
    assert not supported
    assert any(r.startswith("says something else") for r in reasons)


def test_claimant_check_applies_only_when_claimants_are_given(embedder: Embedder) -> None:
    sentence = "Zelensky told reporters North Korean troops suffered 4,000 casualties."
    assert support(sentence, [ZELENSKY], embedder).supported
    assert not support(sentence, [ZELENSKY], embedder, ["Kyrylo Budanov"]).supported


def test_a_verbatim_quote_carries_its_own_attribution(embedder: Embedder) -> None:
    # The ledger may lack the claim (the extractor missed it); a sentence quoted word for
    # word still names only whom its source names, while the same claimant in the
    # answer's own words must be backed by a claim.
    quoted = ZELENSKY.rstrip(".") + "."
    assert support(quoted, [ZELENSKY], embedder, ["Kyrylo Budanov"]).supported
    sentence = "Zelensky told reporters North Korean troops suffered 4,000 casualties."
    assert not support(sentence, [ZELENSKY], embedder, ["Kyrylo Budanov"]).supported


@pytest.mark.parametrize(
    ("cited", "piece", "backed"),
    [
        # Cut from under "if" or "whether", or from before its "not", the source's words
        # state what the source does not.
        ("If the port had been sold, the harbour board would have said so by now.",
         "The port had been sold.", False),
        ("The inquiry will decide whether the guards fired first at the crowd.",
         "The guards fired first at the crowd.", False),
        ("The mayor did not order the evacuation of the old town, her office said.",
         "The mayor did order the evacuation of the old town.", False),
        # A clause that stands on its own stays the source's: a negation belongs to its
        # own verb, not to the one coordinated with it.
        ("The mayor did not order the evacuation, but the police cleared the old town.",
         "The police cleared the old town.", True),
        ("The guards fired first at the crowd, the inquiry found.",
         "The guards fired first at the crowd.", True),
    ],
)  # fmt: skip
def test_words_lifted_out_of_a_condition_are_not_the_sources_statement(
    embedder: Embedder, cited: str, piece: str, backed: bool
) -> None:
    verdict = support(piece, [cited], embedder)
    assert verdict.supported is backed, verdict.reasons


@pytest.mark.parametrize(
    "sentence",
    [
        "You said that the harbour would close in May.",
        "According to you, the harbour would close in May.",
    ],
)
def test_a_sentence_crediting_the_reader_is_not_supported(
    embedder: Embedder, sentence: str
) -> None:
    cited = ["The harbour master said that the harbour would close in May."]
    verdict = support(sentence, cited, embedder, ["harbour master"])
    assert not verdict.supported
    assert any("reader" in r for r in verdict.reasons)


BYLINE = ["Coast Post", "Feb. 15, 2025", "Volodymyr Zelensky"]


@pytest.mark.parametrize(
    "sentence",
    [
        ZELENSKY.rstrip(".") + ", Coast Post reported on Feb. 15, 2025.",
        "Volodymyr Zelensky said: “" + ZELENSKY.rstrip(".") + "”",
        "According to Volodymyr Zelensky: " + ZELENSKY,
    ],
)
def test_a_quotation_framed_by_who_said_it_reads_as_the_text_it_quotes(sentence: str) -> None:
    assert framed(sentence, ["Another sentence.", ZELENSKY], BYLINE) == ZELENSKY


@pytest.mark.parametrize(
    "sentence",
    [
        # The frame judges, negates or adds to the quotation.
        ZELENSKY.rstrip(".") + ", which Coast Post called false.",
        "Coast Post did not report that " + ZELENSKY,
        "Volodymyr Zelensky denied: “" + ZELENSKY.rstrip(".") + "”",
        ZELENSKY.rstrip(".") + ", Coast Post reported on Feb. 15, 2025, citing 9,000 dead.",
        # A name the frame may not use.
        ZELENSKY.rstrip(".") + ", Kyiv Daily reported on Feb. 15, 2025.",
        # The cited text is only part of a word of the sentence.
        "Theirs, Coast Post reported.",
    ],
)
def test_a_frame_that_says_more_than_who_said_it_is_not_read_as_the_quotation(
    sentence: str,
) -> None:
    assert framed(sentence, [ZELENSKY, "Their"], BYLINE) is None


TURNED = (
    "More than 100,000 people took part in a walk-in at 2,000 schools, according to the organizer."
)
HE = "He took offense at suggestions that he is not a self-made billionaire."


@pytest.mark.parametrize(
    ("sentence", "cited", "names"),
    [
        # The attribution turned round, in either direction.
        ("According to the organizer, more than 100,000 people took part in a walk-in at "
         "2,000 schools.", TURNED, ["the organizer"]),
        ("Lynch said: “I take comfort in that fact, and I do not think it is going anywhere”.",
         "“I take comfort in that fact, and I do not think it is going anywhere,” Lynch said.",
         ["Lynch"]),
        # A pronoun named.
        ("Trump took offense at suggestions that he is not a self-made billionaire.", HE,
         ["Donald Trump", "Trump"]),
    ],
)  # fmt: skip
def test_a_cited_text_with_its_attribution_turned_round_reads_as_that_text(
    sentence: str, cited: str, names: list[str]
) -> None:
    assert framed(sentence, ["Another sentence.", cited], names) == cited


@pytest.mark.parametrize(
    ("sentence", "cited", "names"),
    [
        # A word of the cited text left out: its negation, a figure, a claimant.
        ("Police said 40 people were killed.", "Police said 40 people were not killed.",
         ["Police"]),
        ("According to the organizer, people took part in a walk-in at 2,000 schools.",
         TURNED, ["the organizer"]),
        # Words moved a few at a time: the roles swapped.
        ("The rebels killed 200 soldiers, the army said.",
         "The army said soldiers killed 200 rebels.", ["army"]),
        # An attribution made of another part of the sentence.
        ("As reported by the rebels, 40 people were killed.",
         "Police said 40 people were killed, not 400 as reported by the rebels.", ["Police"]),
        # A name of the cited text dropped, and one the frame may not use.
        ("The plan will fail because it lacks money, Jones said.",
         "The plan will fail because it lacks money, Smith told Jones.",
         ["Smith", "Jones"]),
        ("Jones told Smith: the plan will fail because it lacks money.",
         "The plan will fail because it lacks money, Smith told Jones.", ["Smith", "Jones"]),
        ("Rendell took offense at suggestions that he is not a self-made billionaire.", HE,
         ["Donald Trump", "Trump"]),
    ],
)  # fmt: skip
def test_a_rearrangement_that_changes_or_adds_is_not_read_as_the_cited_text(
    sentence: str, cited: str, names: list[str]
) -> None:
    assert framed(sentence, [cited], names) is None


class _Recording:
    """An encoder that records what it was asked to embed."""

    def __init__(self, embedder: Embedder) -> None:
        self.embedder = embedder
        self.dim = embedder.dim
        self.texts: list[str] = []

    def embed(self, texts: Sequence[str], show_progress: bool = False) -> Vectors:
        self.texts += texts
        return self.embedder.embed(texts, show_progress)


CONTEXT = ["Coast Post", "2025-02-15", "Feb. 15, 2025"]  # as `article_context` gives it


def test_a_framed_quotation_is_not_embedded_and_scores_as_its_text(embedder: Embedder) -> None:
    sentence = ZELENSKY.rstrip(".") + ", Coast Post reported on Feb. 15, 2025."
    recording = _Recording(embedder)
    verdict = support(sentence, [ZELENSKY], recording, CLAIMANTS, CONTEXT)
    assert verdict.supported, verdict.reasons
    assert recording.texts == [ZELENSKY]
    # What the sentence adds besides the byline is embedded and judged as written.
    added = ZELENSKY.rstrip(".") + ", Coast Post reported, which the ministry denied."
    support(added, [ZELENSKY], recording, CLAIMANTS, CONTEXT)
    assert recording.texts[1] == added


def test_numbers_are_read_by_value() -> None:
    found = numbers("4,000 or 4 000 or 4000; two-thirds or 2/3; 12 thousand; 64%; one of them")
    assert set(found) == {4000.0, 0.6667, 12000.0, 64.0}
    assert found[4000.0] == "4,000"


def test_sentences_keep_their_markers_and_abbreviations() -> None:
    text = "Zelensky said on Feb. 14 that 4,000 died [1]. The U.S. Army agreed. [2] Mr. Smith did not [3][4]."
    assert [p.text for p in split_sentences(text)] == [
        "Zelensky said on Feb. 14 that 4,000 died [1]. ",
        "The U.S. Army agreed. [2] ",
        "Mr. Smith did not [3][4].",
    ]
    assert split_sentences(text)[2].numbers == [3, 4]
    # A marker after the last full stop belongs to the last sentence.
    assert [p.numbers for p in split_sentences("It was. [1] So it is. [2]")] == [[1], [2]]


def test_who_a_sentence_credits_is_read_past_adverbs_and_subjectless_cues() -> None:
    assert attributions("The minister strongly denied the report.") == ["The minister"]
    assert attributions("Pepper has repeatedly said the ruling was fair.") == ["Pepper"]
    # After a colon the cue has no subject of its own: nobody is credited.
    assert attributions("Saudi government: has strongly denied any involvement.") == []


def test_the_answers_own_voice_names_no_claimant() -> None:
    said = "The sources disagree on the incidents reported: the police: 2,521 [1]; Politifact: thousands [2]."
    assert attributions(said) == []
    assert attributions("Some sources said the bridge was closed.") == ["Some sources"]
    assert attributions("The police reported 2,521 incidents.") == ["The police"]
