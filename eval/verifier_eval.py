"""Precision and recall of the citation verifier on the labelled set of eval/verifier_set.py.

Thresholds are tuned on pairs from PolNeAR's train split and reported on held-out pairs:
the seed articles and PolNeAR's dev split.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Annotated, Any

import typer

from app.verify import CONTENT_THRESHOLD, SIMILARITY_WEIGHT, Evidence, clean, embed_texts, evidence
from eval.polnear import load_split
from eval.verifier_set import BROKEN_KINDS, Pair, analyse, balance, build_pairs, seed_articles
from indexer.embed import BUNDLED_MODEL, Embedder, get_embedder

DEFAULT_POLNEAR = Path(os.environ.get("POLNEAR_DIR", "../shared/data/polnear"))


@dataclass(frozen=True)
class Scores:
    """Counts for one class taken as the positive one, and the figures from them."""

    tp: int
    fp: int
    fn: int
    tn: int

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def as_dict(self) -> dict[str, float | int]:
        figures = {"precision": self.precision, "recall": self.recall, "f1": self.f1}
        return {**asdict(self), **{k: round(v, 4) for k, v in figures.items()}}


def scores(gold: Sequence[bool], predicted: Sequence[bool]) -> Scores:
    """Scores with True as the positive class."""
    pairs = list(zip(gold, predicted, strict=True))
    return Scores(
        tp=sum(g and p for g, p in pairs),
        fp=sum(p and not g for g, p in pairs),
        fn=sum(g and not p for g, p in pairs),
        tn=sum(not g and not p for g, p in pairs),
    )


@dataclass(frozen=True)
class Report:
    """The verifier on one set: "unsupported" detection, "supported" acceptance, by kind."""

    n: int
    unsupported: Scores
    supported: Scores
    by_kind: dict[str, dict[str, Any]]

    def as_dict(self) -> dict[str, Any]:
        return {
            "n": self.n,
            "unsupported": self.unsupported.as_dict(),
            "supported": self.supported.as_dict(),
            "by_kind": self.by_kind,
        }


def evaluate(pairs: Sequence[Pair], verdicts: Sequence[bool]) -> Report:
    """Score `verdicts` (True: judged supported) against the pairs' labels.

    A break kind's precision and recall are those of "unsupported" detection on the pairs
    of that kind together with every supported pair.
    """
    gold = [p.supported for p in pairs]
    by_kind: dict[str, dict[str, Any]] = {}
    for kind in sorted({p.kind for p in pairs}):
        idx = [i for i, p in enumerate(pairs) if p.kind == kind]
        row: dict[str, Any] = {
            "n": len(idx),
            "correct": sum(verdicts[i] == gold[i] for i in idx),
        }
        if kind in BROKEN_KINDS:
            subset = [i for i, p in enumerate(pairs) if p.kind == kind or p.supported]
            row |= _unsupported([gold[i] for i in subset], [verdicts[i] for i in subset]).as_dict()
        by_kind[kind] = row
    return Report(len(pairs), _unsupported(gold, verdicts), scores(gold, verdicts), by_kind)


def _unsupported(gold: Sequence[bool], verdicts: Sequence[bool]) -> Scores:
    return scores([not g for g in gold], [not v for v in verdicts])


def measure(pairs: Sequence[Pair], embedder: Embedder) -> list[Evidence]:
    """The verifier's checks on every pair, all texts embedded in one batch."""
    vectors = embed_texts(
        embedder, [clean(p.sentence) for p in pairs] + [t for p in pairs for t in p.cited]
    )
    return [evidence(p.sentence, p.cited, vectors, p.claimants) for p in pairs]


def verdicts(
    found: Sequence[Evidence],
    threshold: float = CONTENT_THRESHOLD,
    weight: float = SIMILARITY_WEIGHT,
) -> list[bool]:
    return [e.verdict(threshold, weight).supported for e in found]


def tune(pairs: Sequence[Pair], found: Sequence[Evidence]) -> tuple[float, float]:
    """The (similarity weight, content threshold) with the best mean F1 of both classes.

    Among equally good settings, the weight nearest 0.5 (both signals count, so a
    paraphrase is not judged on its words alone), then the middle of its threshold range.
    """
    gold = [p.supported for p in pairs]
    graded: dict[tuple[float, float], float] = {}
    for w in range(11):
        for t in range(20, 91):
            judged = verdicts(found, t / 100, w / 10)
            graded[w / 10, t / 100] = (scores(gold, judged).f1 + _unsupported(gold, judged).f1) / 2
    top = max(graded.values())
    best = [setting for setting, macro in graded.items() if macro >= top - 1e-9]
    weight = min({w for w, _ in best}, key=lambda w: (abs(w - 0.5), w))
    thresholds = sorted(t for w, t in best if w == weight)
    return weight, thresholds[len(thresholds) // 2]


def render_table(report: Report, title: str) -> str:
    """A readable table: the two classes, then every kind."""
    lines = [
        f"{title} ({report.n} pairs)",
        f"{'':<20}{'n':>6}{'correct':>9}{'P':>8}{'R':>8}{'F1':>8}",
    ]
    for name, s in (("unsupported", report.unsupported), ("supported", report.supported)):
        n = s.tp + s.fn
        lines.append(f"{name:<20}{n:>6}{s.tp:>9}{s.precision:>8.3f}{s.recall:>8.3f}{s.f1:>8.3f}")
    for kind, row in report.by_kind.items():
        figures = (
            f"{row['precision']:>8.3f}{row['recall']:>8.3f}{row['f1']:>8.3f}" if "f1" in row else ""
        )
        label = f"  {kind}" + ("" if "f1" in row else " (kept)")
        lines.append(f"{label:<20}{row['n']:>6}{row['correct']:>9}{figures}")
    return "\n".join(lines)


def build_sets(polnear: Path | None, n: int, seed: int) -> tuple[list[Pair] | None, list[Pair]]:
    """(train pairs from PolNeAR train, or None; held-out pairs from the seeds and PolNeAR dev)."""
    held_out = build_pairs(analyse(seed_articles(), "seed"), seed, per_article=15)
    if polnear is None:
        return None, held_out
    train_docs = load_split(polnear, "train", n)
    dev_docs = load_split(polnear, "dev", n)
    train = build_pairs(analyse((d.article for d in train_docs), "polnear-train"), seed)
    held_out += build_pairs(analyse((d.article for d in dev_docs), "polnear-dev"), seed)
    return train, held_out


def verifier_command(
    polnear: Annotated[
        Path | None, typer.Option(help="PolNeAR folder; its train split tunes, dev tests.")
    ] = None,
    n: Annotated[int, typer.Option(help="PolNeAR articles taken from each split.")] = 30,
    seed: Annotated[int, typer.Option(help="Seed of the labelled set.")] = 0,
    out: Annotated[Path, typer.Option(help="Where to write the JSON results.")] = Path(
        "results/verifier.json"
    ),
) -> None:
    """Precision and recall of the citation verifier on supported and broken citations."""
    if polnear is None and (DEFAULT_POLNEAR / "metadata.tsv").exists():
        polnear = DEFAULT_POLNEAR
    if polnear is None:
        typer.echo("PolNeAR not found (--polnear DIR): seed articles only, no tuning.")
    embedder = get_embedder(BUNDLED_MODEL)
    train, held_out = build_sets(polnear, n, seed)
    result: dict[str, Any] = {
        "shipped": {"similarity_weight": SIMILARITY_WEIGHT, "threshold": CONTENT_THRESHOLD},
        "seed": seed,
        "polnear": str(polnear) if polnear else None,
        "articles_per_split": n,
    }
    if train is not None:
        found = measure(train, embedder)
        weight, threshold = tune(train, found)
        result["tuned_on_train"] = {"similarity_weight": weight, "threshold": threshold}
        report = evaluate(train, verdicts(found))
        result["train"] = {"balance": balance(train), **report.as_dict()}
        typer.echo(render_table(report, "train: PolNeAR train, shipped thresholds"))
        typer.echo(f"tuned on train: similarity weight {weight}, threshold {threshold}\n")
    report = evaluate(held_out, verdicts(measure(held_out, embedder)))
    result["held_out"] = {"balance": balance(held_out), **report.as_dict()}
    title = "held out: seed articles" + (" + PolNeAR dev" if polnear else "")
    typer.echo(render_table(report, f"{title}, shipped thresholds"))
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    typer.echo(f"results written to {out}")
