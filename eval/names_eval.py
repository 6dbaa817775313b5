"""How well the claimant matcher (`app/claimants.py`) tells names written two ways from
different names.

`eval/names_pairs.jsonl` holds one pair a line: `a`, `b` (names or descriptions), `same`
(whether they name one person or body), `kind` (what makes the pair hard: "spelling",
"acronym", "description", "same surname", ...) and, for descriptions, `context`: a
sentence of the kind an article gives, from which the matcher reads what the names are
called there. Run it with `python -m eval.names_eval [FILE]`.
"""

from __future__ import annotations

import json
import sys
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from app.claimants import aliases_in, matches
from indexer.split import parse

PAIRS = Path(__file__).parent / "names_pairs.jsonl"


class NamePairsError(ValueError):
    """A pairs file that cannot be read; the message names the file, line and fix."""


@dataclass(frozen=True)
class Pair:
    a: str
    b: str
    same: bool
    kind: str
    context: str = ""


@dataclass(frozen=True)
class Scores:
    precision: float
    recall: float
    f1: float
    true_positives: int
    false_positives: int
    false_negatives: int


def load(path: Path = PAIRS) -> list[Pair]:
    pairs: list[Pair] = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            pair = Pair(row["a"], row["b"], row["same"], row["kind"], row.get("context", ""))
        except (json.JSONDecodeError, KeyError, TypeError) as e:
            raise NamePairsError(
                f"{path}:{n}: {e!r}; each line is a JSON object with `a`, `b`, `same` "
                "(true/false), `kind` and optionally `context`"
            ) from None
        pairs.append(pair)
    return pairs


def predict(pair: Pair) -> bool:
    """The matcher's verdict, either way round, with the context's descriptions."""
    aliases = aliases_in(parse(pair.context)) if pair.context else None
    return matches(pair.a, pair.b, aliases) or matches(pair.b, pair.a, aliases)


def score(pairs: list[Pair], predicted: list[bool]) -> Scores:
    tp = sum(p.same and y for p, y in zip(pairs, predicted, strict=True))
    fp = sum(not p.same and y for p, y in zip(pairs, predicted, strict=True))
    fn = sum(p.same and not y for p, y in zip(pairs, predicted, strict=True))
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return Scores(precision, recall, f1, tp, fp, fn)


def report(pairs: list[Pair]) -> str:
    predicted = [predict(p) for p in pairs]
    by_kind: dict[tuple[bool, str], list[bool]] = defaultdict(list)
    for p, y in zip(pairs, predicted, strict=True):
        by_kind[(p.same, p.kind)].append(y == p.same)
    s = score(pairs, predicted)
    lines = [
        f"{sum(p.same for p in pairs)} matching and {sum(not p.same for p in pairs)} "
        f"non-matching pairs: precision {s.precision:.3f}, recall {s.recall:.3f}, F1 {s.f1:.3f}",
        "",
        "| pairs | kind | right |",
        "| --- | --- | --- |",
    ]
    for (same, kind), right in sorted(by_kind.items(), key=lambda kv: (not kv[0][0], kv[0][1])):
        lines.append(f"| {'same' if same else 'different'} | {kind} | {sum(right)}/{len(right)} |")
    wrong = [p for p, y in zip(pairs, predicted, strict=True) if y != p.same]
    lines += ["", "Wrong:"] + [f"- {p.a!r} / {p.b!r} ({p.kind}, same={p.same})" for p in wrong]
    return "\n".join(lines)


if __name__ == "__main__":
    print(report(load(Path(sys.argv[1]) if len(sys.argv) > 1 else PAIRS)))
