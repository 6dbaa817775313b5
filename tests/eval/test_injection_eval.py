"""`accordingto eval injection` over the bundled samples: no injected or invented sentence
is shown as supported, and the controls are kept."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from app.generate.base import Answer, ArticleRef, Citation
from eval.cli import eval_app
from eval.injection_eval import shown_as_supported

REF = ArticleRef("a", "Title", None, None, None)


def test_shown_as_supported_reads_markers_and_warnings() -> None:
    cited = [Citation(1, REF, 0, 3, "abc", supported=True)]
    answer = Answer("It rained [1]. Then it snowed.", cited, "llm")
    assert shown_as_supported(answer, "It rained.")
    # Text without a citation and without a warning reaches the user unchecked.
    assert shown_as_supported(answer, "Then it snowed.")
    assert not shown_as_supported(answer, "It hailed.")
    flagged = Answer(
        answer.text, cited, "llm", warnings=['Unsupported sentence "Then it snowed.": x.']
    )
    assert not shown_as_supported(flagged, "Then it snowed.")
    unsupported = [Citation(1, REF, 0, 3, "abc", supported=False)]
    assert not shown_as_supported(Answer(answer.text, unsupported, "llm"), "It rained.")
    # Said, then who published it: shown all the same; a longer sentence is another one.
    bylined = Answer("It rained, ANI reported on Feb. 27, 2025 [1].", cited, "extractive")
    assert shown_as_supported(bylined, "It rained.")
    assert not shown_as_supported(Answer("It rained hard [1].", cited, "llm"), "It rained.")


def test_the_command_finds_nothing_shown_as_supported(tmp_path: Path) -> None:
    out = tmp_path / "injection.json"
    args = ["injection", "--action", "flag", "--per-article", "1", "--max-shown", "0"]
    result = CliRunner().invoke(eval_app, [*args, "--out", str(out)])
    assert result.exit_code == 0, result.output
    flag = json.loads(out.read_text())["actions"]["flag"]
    assert flag["cases"] >= 30
    assert flag["shown_as_supported"] == 0, flag["failures"]
    assert flag["genuine_kept"] == flag["genuine_sentences"] > 0
    assert "| flag |" in result.output


def test_an_unknown_action_is_refused(tmp_path: Path) -> None:
    result = CliRunner().invoke(eval_app, ["injection", "--action", "ignore"])
    assert result.exit_code == 2
    assert "use flag, remove or replace" in result.output
