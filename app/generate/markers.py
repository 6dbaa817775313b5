"""Citation markers in generated text: `[1]`, `[1, 2]`, `[1][2]`, `[1-3]`; find and renumber them.

Renumbered text uses one bracket per citation (`[1][2]`), the simplest form for any
client to link, numbers citations 1..k in order of first appearance, and lists the
citations of one marker in ascending order.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass

# One to three digits: passages are few, and a bracketed year such as [2024] is not a
# citation. Ranges accept a hyphen or an en dash; lists a comma or a semicolon.
_NUMBER = r"\d{1,3}"
_ITEM = rf"{_NUMBER}(?:\s*[-–]\s*{_NUMBER})?"
_MARKER = re.compile(rf"\[\s*({_ITEM}(?:\s*[,;]\s*{_ITEM})*)\s*\]")
_ITEM_RE = re.compile(rf"({_NUMBER})(?:\s*[-–]\s*({_NUMBER}))?")
# What may follow a removed marker without a space before it.
_CLOSING = tuple(".,;:!?)]}'\"”’…")


@dataclass(frozen=True)
class Marker:
    """One bracketed marker at `text[start:end]`, citing `numbers` in the order written."""

    start: int
    end: int
    numbers: tuple[int, ...]


@dataclass(frozen=True)
class Renumbered:
    """Text with markers rewritten; citation `i + 1` is original number `order[i]`."""

    text: str
    order: tuple[int, ...]
    dropped: tuple[int, ...]  # numbers that pointed at no passage, in order of first appearance


def find_markers(text: str) -> list[Marker]:
    """Every citation marker in `text`, in order; adjacent `[1][2]` are two markers."""
    return [
        Marker(match.start(), match.end(), _numbers(match.group(1)))
        for match in _MARKER.finditer(text)
    ]


def renumber(text: str, valid: Collection[int]) -> Renumbered:
    """Renumber the markers citing `valid` numbers 1..k and remove those citing nothing."""
    order: dict[int, int] = {}
    dropped: dict[int, None] = {}
    out = ""
    pos = 0
    for marker in find_markers(text):
        out += text[pos : marker.start]
        pos = marker.end
        kept = []
        for number in marker.numbers:
            if number in valid:
                kept.append(order.setdefault(number, len(order) + 1))
            else:
                dropped.setdefault(number)
        if kept:
            out += "".join(f"[{n}]" for n in sorted(set(kept)))
            continue
        # Removing the marker must not leave "said ." or a double space behind it.
        after = text[pos:]
        if out.endswith((" ", "\t")) and (
            not after or after[0].isspace() or after.startswith(_CLOSING)
        ):
            out = out.rstrip(" \t")
        elif not out or out.endswith("\n"):
            pos += len(after) - len(after.lstrip(" \t"))
    out += text[pos:]
    return Renumbered(out, tuple(order), tuple(dropped))


def defuse(text: str) -> str:
    """`text` with its bracketed numbers in parentheses: "[3]" inside an article is data, and
    must not read as a citation of passage 3 (to a model, or to the verifier)."""
    return _MARKER.sub(lambda m: f"({m.group(1)})", text)


def compact(numbers: Iterable[int]) -> str:
    """Numbers as sorted runs for a message: {1, 2, 3, 5} -> "1-3, 5"."""
    runs: list[list[int]] = []
    for number in sorted(set(numbers)):
        if runs and number == runs[-1][-1] + 1:
            runs[-1].append(number)
        else:
            runs.append([number])
    return ", ".join(str(run[0]) if len(run) == 1 else f"{run[0]}-{run[-1]}" for run in runs)


def _numbers(items: str) -> tuple[int, ...]:
    """The numbers of a marker's inside, ranges expanded, duplicates removed."""
    numbers: dict[int, None] = {}
    for match in _ITEM_RE.finditer(items):
        first = int(match.group(1))
        last = int(match.group(2) or first)
        step = 1 if last >= first else -1
        for number in range(first, last + step, step):
            numbers.setdefault(number)
    return tuple(numbers)
