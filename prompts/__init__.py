"""Prompt templates as files: `prompts/<name>.md`, rendered with checked variables.

Placeholders follow `string.Template`: `$name` or `${name}`; a literal dollar sign is
written `$$`. Dollar placeholders were chosen over `str.format` braces so templates can
show JSON or code without doubling every brace. Rendering fails loudly: a variable the
template needs but was not given, a variable given but not used, or a malformed
placeholder raises `PromptError` naming the template and the variables.
"""

from __future__ import annotations

from pathlib import Path
from string import Template

__all__ = ["PromptError", "render", "templates", "variables"]

_DIR = Path(__file__).parent


class PromptError(ValueError):
    """A template is missing, malformed, or rendered with the wrong variables."""


def templates() -> list[str]:
    """Names of all templates, sorted."""
    return sorted(path.stem for path in _DIR.glob("*.md"))


def variables(name: str) -> list[str]:
    """The variables template `name` needs, in order of first use."""
    return _load(name).get_identifiers()


def render(name: str, **values: str) -> str:
    """Template `name` with every placeholder replaced by its value."""
    template = _load(name)
    needed = template.get_identifiers()
    missing = [var for var in needed if var not in values]
    unknown = sorted(set(values) - set(needed))
    problems = []
    if missing:
        problems.append(f"missing variable(s) {', '.join(missing)}")
    if unknown:
        problems.append(f"unknown variable(s) {', '.join(unknown)}")
    if problems:
        raise PromptError(
            f"Prompt template {name!r}: {'; '.join(problems)}. "
            f"It takes: {', '.join(needed) or 'no variables'}."
        )
    return template.substitute(values)


def _load(name: str) -> Template:
    path = _DIR / f"{name}.md"
    # A name like "../x" must not reach outside the package.
    if path.parent != _DIR or not path.is_file():
        raise PromptError(
            f"No prompt template {name!r}; the templates are: {', '.join(templates())}."
        )
    template = Template(path.read_text(encoding="utf-8"))
    if not template.is_valid():
        raise PromptError(
            f"Prompt template {name!r} has a malformed placeholder; "
            "use $name or ${name}, and $$ for a literal dollar sign."
        )
    return template
