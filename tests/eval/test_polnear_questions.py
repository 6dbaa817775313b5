"""The PolNeAR "who said it?" adapter on a tiny folder in PolNeAR's layout."""

from __future__ import annotations

from pathlib import Path

import pytest

from eval.gold import load_gold
from eval.polnear import load_split
from eval.polnear_questions import (
    candidates,
    defined_as,
    polnear_questions_command,
    sample_questions,
)
from tests.conftest import POLNEAR

ARTICLES = {
    "one": [
        ("Hillary Clinton", "said", "the economy is growing faster than ever before"),
        ("He", "said", "the plan was fine and would work out well"),
        ("A campaign aide", "said", "the plan would cost far too much money overall"),
        ("Clinton", "said", "taxes rise"),
    ],
    "two": [
        ("Donald Trump", "told", "reporters that the wall would be built next year"),
        ("The New York Times", "reported", "that the campaign had spent millions on ads"),
    ],
}


def _folder(root: Path, articles: dict[str, list[tuple[str, str, str]]] = ARTICLES) -> Path:
    """Sentences "SOURCE CUE CONTENT." with their brat attributions, one article each."""
    (root / "dev" / "text").mkdir(parents=True)
    (root / "dev" / "attributions").mkdir(parents=True)
    meta = ["compartment\tfilename\tpublisher\tpublication_date"]
    for name, rows in articles.items():
        text, ann = "", []
        for i, (source, cue, content) in enumerate(rows):
            s = len(text)
            c = s + len(source) + 1
            t = c + len(cue) + 1
            text += f"{source} {cue} {content}.\n"
            ann += [
                f"T{3 * i + 1}\tSource {s} {s + len(source)}\t{source}",
                f"T{3 * i + 2}\tCue {c} {c + len(cue)}\t{cue}",
                f"T{3 * i + 3}\tContent {t} {t + len(content)}\t{content}",
                f"E{i + 1}\tAttribution:T{3 * i + 2} Content:T{3 * i + 3} Source:T{3 * i + 1}",
            ]
        (root / "dev" / "text" / f"{name}.txt").write_text(text, encoding="utf-8")
        (root / "dev" / "attributions" / f"{name}_x.ann").write_text(
            "\n".join(ann) + "\n", encoding="utf-8"
        )
        meta.append(f"dev\t{name}\tpaper\t2016-09-01")
    (root / "metadata.tsv").write_text("\n".join(meta) + "\n", encoding="utf-8")
    return root


def test_only_named_sources_with_six_word_contents_qualify(tmp_path: Path) -> None:
    docs = load_split(_folder(tmp_path), "dev")
    sources = [c.source for c in candidates(docs)]
    # "He" and "A campaign aide" name nobody; "taxes rise" is two words.
    assert sources == ["Hillary Clinton", "Donald Trump", "The New York Times"]


def test_questions_carry_the_claimant_and_the_whole_attribution(tmp_path: Path) -> None:
    docs = load_split(_folder(tmp_path), "dev")
    first = sample_questions(docs, "dev", 10)[0]
    text = docs[0].article.text
    assert first.question == "Who said that the economy is growing faster than ever before?"
    assert first.claimants == [["Hillary Clinton", "Clinton"]]
    ev = first.evidence[0]
    assert ev.article_id == "one" and ev.start is not None and ev.end is not None
    assert (
        text[ev.start : ev.end]
        == "Hillary Clinton said the economy is growing faster than ever before"
    )
    third = sample_questions(docs, "dev", 10)[2]
    assert third.question.startswith("Who said that the campaign")  # "that" is not repeated


def test_sampling_is_seeded_and_capped(tmp_path: Path) -> None:
    docs = load_split(_folder(tmp_path), "dev")
    once = [q.id for q in sample_questions(docs, "dev", 2, seed=7)]
    assert once == [q.id for q in sample_questions(docs, "dev", 2, seed=7)]
    assert len(once) == 2 and len(set(once)) == 2
    assert len(sample_questions(docs, "dev", 50, seed=7)) == 3


def test_the_command_writes_a_gold_file(tmp_path: Path) -> None:
    out = tmp_path / "q.jsonl"
    polnear_questions_command(_folder(tmp_path / "data"), "dev", 2, 0, out)
    assert len(load_gold(out)) == 2


@pytest.mark.skipif(not POLNEAR.exists(), reason="PolNeAR is not at ../shared/data/polnear")
def test_the_real_dev_split_gives_named_questions() -> None:
    docs = load_split(POLNEAR, "dev", limit=5)
    questions = sample_questions(docs, "dev", 5, seed=0)
    assert questions
    for q in questions:
        assert q.question.startswith("Who said that ") and q.claimants[0][0]


def test_the_name_heading_the_source_is_its_claimant_not_a_modifier(tmp_path: Path) -> None:
    source = "White House Press Secretary Josh Earnest"
    content = "the president would veto the bill without any delay at all"
    root = _folder(tmp_path / "data", {"a": [(source, "said on Tuesday that", content)]})
    (question,) = sample_questions(load_split(root, "dev"), "dev", 5)
    # The first entity ("White House") only modifies the source; the person heads it.
    assert question.claimants == [[source, "Josh Earnest", "Earnest"]]


def test_an_acronym_and_the_name_the_article_spells_out_are_one_claimant() -> None:
    text = "Parents joined the Alliance to Reclaim Our Schools (AROS) on Monday. The CDC agreed."
    assert defined_as("AROS", text) == ["Alliance to Reclaim Our Schools"]
    assert defined_as("Alliance to Reclaim Our Schools", text) == ["AROS"]
    assert defined_as("CDC", text) == [] and defined_as("Parents", text) == []
