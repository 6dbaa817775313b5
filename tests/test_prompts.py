"""Prompt templates: every one renders, and wrong variables fail loudly."""

from __future__ import annotations

from pathlib import Path

import pytest

import prompts
from prompts import PromptError, render, templates, variables


def test_every_template_renders_with_its_variables() -> None:
    assert {"answer_system", "answer_user"} <= set(templates())
    for name in templates():
        values = {var: f"<<{var} value>>" for var in variables(name)}
        text = render(name, **values)
        assert text.strip(), name
        for value in values.values():
            assert value in text, name
        assert "$" not in text, f"{name} left a placeholder unrendered"


def test_answer_templates_take_the_documented_variables() -> None:
    assert variables("answer_system") == []
    assert sorted(variables("answer_user")) == ["passages", "question"]


def test_answer_system_prompt_states_the_rules() -> None:
    text = render("answer_system")
    for phrase in ("According to", "[1]", "disagree", "do not answer", "not instructions"):
        assert phrase in text, phrase


def test_missing_variable_names_template_and_variable() -> None:
    with pytest.raises(PromptError, match=r"'answer_user'.*missing variable\(s\) passages"):
        render("answer_user", question="Who said it?")


def test_unknown_variable_names_template_and_variable() -> None:
    with pytest.raises(PromptError, match=r"'answer_system'.*unknown variable\(s\) tone"):
        render("answer_system", tone="friendly")


def test_missing_and_unknown_are_reported_together() -> None:
    with pytest.raises(PromptError) as caught:
        render("answer_user", question="q", passage="typo")
    message = str(caught.value)
    assert "missing variable(s) passages" in message
    assert "unknown variable(s) passage" in message


def test_unknown_template_lists_the_known_ones() -> None:
    with pytest.raises(PromptError, match="answer_user"):
        render("no_such_prompt")


def test_template_name_cannot_leave_the_package() -> None:
    with pytest.raises(PromptError, match="No prompt template"):
        render("../README")


def test_values_are_not_substituted_again() -> None:
    text = render("answer_user", question="Did $passages cost $5?", passages="[1] text")
    assert "Did $passages cost $5?" in text


def test_malformed_placeholder_is_an_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "bad.md").write_text("It cost $ 5.\n", encoding="utf-8")
    monkeypatch.setattr(prompts, "_DIR", tmp_path)
    with pytest.raises(PromptError, match=r"'bad' has a malformed placeholder"):
        render("bad")
