"""Claim-extraction scoring on hand-computed cases, the CLI, and a slice of real dev data."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from eval.claims_eval import (
    PRF,
    char_overlap,
    evaluate,
    match,
    meaningful_tokens,
    render_table,
    score_article,
)
from eval.cli import eval_app, extract_with_timing, tagger_extractor
from eval.polnear import GoldAttribution, load_split
from indexer.models import Claim, Span
from tests.eval.test_polnear import make_folder

TEXT = "".join(chr(ord("a") + i % 26) for i in range(300))


def claim(content: tuple[int, int], claimant: str, mention: tuple[int, int] | None) -> Claim:
    def span(s: int, e: int) -> Span:
        return Span(s, e, TEXT[s:e])

    return Claim(
        article_id="a",
        sentence_idx=0,
        claimant=claimant,
        claimant_mention=span(*mention) if mention else None,
        cue=span(0, 1),
        content=span(*content),
        kind="indirect",
    )


def test_char_overlap_takes_unions() -> None:
    assert char_overlap([(0, 10)], [(5, 8), (9, 20)]) == 4
    assert char_overlap([(0, 10), (5, 15)], [(0, 20)]) == 15


def test_match_is_one_to_one_and_greedy_by_overlap() -> None:
    assert match([[(0, 10)], [(0, 8)]], [[(0, 10)]], strict=True) == [(0, 0)]
    # 5 shared characters out of a longer span of 20: only a loose match.
    assert match([[(0, 10)]], [[(5, 25)]], strict=True) == []
    assert match([[(0, 10)]], [[(5, 25)]], strict=False) == [(0, 0)]
    # Exactly half of the longer span is enough.
    assert match([[(0, 10)]], [[(0, 20)]], strict=True) == [(0, 0)]


def test_score_article_by_hand() -> None:
    text = list(TEXT)
    text[21:31] = "Maria Lund"
    text[61:65] = "Lund"
    gold_text = "".join(text)
    gold = [
        GoldAttribution(source=((21, 31),), cue=((20, 21),), content=((0, 20),)),
        # Discontinuous: scored as the union of its pieces (20 characters).
        GoldAttribution(source=((61, 65),), cue=((45, 50),), content=((30, 40), (50, 60))),
        GoldAttribution(source=(), cue=((99, 100),), content=((100, 110),)),
        GoldAttribution(source=((1, 2),), cue=((3, 4),), content=()),  # no content: ignored
    ]
    predicted = [
        claim((0, 12), "Someone Else", (22, 26)),  # 12/20 of G1, mention inside its source
        claim((30, 60), "Olaf Dahl", None),  # 20/30 of G2, wrong claimant
        claim((105, 130), "Maria Lund", None),  # 5/25 of G3: loose only
        claim((200, 210), "Maria Lund", None),  # nothing
    ]
    score = score_article(predicted, gold, gold_text)
    assert score.strict == PRF(2, 4, 3)
    assert score.loose == PRF(3, 4, 3)
    assert score.strict.precision == pytest.approx(0.5)
    assert score.strict.recall == pytest.approx(2 / 3)
    assert score.strict.f1 == pytest.approx(4 / 7)
    assert score.loose.f1 == pytest.approx(6 / 7)
    assert (score.source_correct, score.source_total) == (1, 2)
    renamed = [predicted[0], claim((30, 60), "Sen. Maria Lund", None)]
    assert score_article(renamed, gold, gold_text).source_correct == 2


def test_meaningful_tokens_drop_titles_and_possessives() -> None:
    assert meaningful_tokens("Mr. Trump's campaign") == {"trump", "campaign"}
    assert meaningful_tokens("the President") == set()


def test_prf_of_nothing_is_zero() -> None:
    assert (PRF(0, 0, 0).precision, PRF(0, 0, 0).recall, PRF(0, 0, 0).f1) == (0.0, 0.0, 0.0)


def test_cli_writes_json_and_table(tmp_path: Path) -> None:
    folder = make_folder(tmp_path / "polnear")
    out, markdown = tmp_path / "out" / "claims.json", tmp_path / "claims.md"
    args = ["claims", str(folder), "--split", "dev", "--out", str(out)]
    result = CliRunner().invoke(eval_app, [*args, "--markdown", str(markdown)])
    assert result.exit_code == 0, result.output
    assert "OVERALL" in result.output
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["articles"] == 1
    assert set(data["by_outlet"]) == {"city-news"}
    assert data["overall"]["content"]["gold"] == 2
    assert markdown.read_text(encoding="utf-8").startswith("| outlet |")


def test_cli_rejects_a_folder_in_another_layout(tmp_path: Path) -> None:
    result = CliRunner().invoke(eval_app, ["claims", str(tmp_path), "--out", "x.json"])
    assert result.exit_code != 0
    assert "Expected layout" in result.output


def polnear_dir() -> Path:
    default = Path(__file__).parents[2].parent / "shared/data/polnear"
    return Path(os.environ.get("POLNEAR_DIR", default))


def test_real_dev_slice() -> None:
    folder = polnear_dir()
    if not (folder / "dev").is_dir():
        pytest.skip(f"PolNeAR not found at {folder} (set POLNEAR_DIR)")
    docs = load_split(folder, "dev", limit=4)
    report = evaluate(docs, extract_with_timing, split="dev")
    assert report.articles == 4
    overall = report.overall
    assert overall.strict.gold > 0 and overall.strict.predicted > 0
    assert 0.0 < overall.strict.f1 <= overall.loose.f1 <= 1.0
    assert 0.0 <= overall.source_accuracy <= 1.0
    assert sum(s.strict.gold for s in report.by_outlet.values()) == overall.strict.gold
    assert "OVERALL" in render_table(report)


@pytest.mark.parametrize("extractor", ["rules", "model"])
def test_cli_thresholds_fail_the_run(tmp_path: Path, extractor: str) -> None:
    folder = make_folder(tmp_path / "polnear")
    args = ["claims", str(folder), "--split", "dev", "--out", str(tmp_path / "c.json")]
    args += ["--extractor", extractor]
    ok = CliRunner().invoke(eval_app, [*args, "--min-f1", "0"])
    assert ok.exit_code == 0, ok.output
    f1 = json.loads((tmp_path / "c.json").read_text(encoding="utf-8"))["overall"]["content"]["f1"]
    failed = CliRunner().invoke(eval_app, [*args, "--min-f1", str(f1 + 0.01)])
    assert failed.exit_code == 1
    assert "content F1" in failed.output


def test_model_beats_rules_on_a_real_dev_slice() -> None:
    folder = polnear_dir()
    if not (folder / "dev").is_dir():
        pytest.skip(f"PolNeAR not found at {folder} (set POLNEAR_DIR)")
    docs = load_split(folder, "dev", limit=6)
    rules = evaluate(docs, extract_with_timing, split="dev").overall
    model = evaluate(docs, tagger_extractor(None), split="dev").overall
    assert model.strict.f1 > rules.strict.f1
