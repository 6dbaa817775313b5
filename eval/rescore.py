"""Score the answers a results file holds again, with this tree's scorer: when the scorer
changes, answers from before and after are compared on one scale without asking again."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from app.schemas import AnswerPublic
from eval.gold import GoldQuestion, Span
from eval.metrics import aggregate, score_answer

# What a results file's stored answers and gold give without the articles or the verifier.
RESCORED = ("claimant_accuracy", "misattribution_rate", "evidence_recall", "citation_precision")


def rescore(doc: dict[str, Any]) -> dict[str, float | None]:
    """The metrics of `RESCORED` for the answers of a results JSON (`accordingto eval run`)."""
    golds, scores = [], []
    for q in doc["questions"]:
        gold = GoldQuestion(
            id=q["id"],
            question=q["question"],
            facts=q.get("facts") or [],
            claimants=q.get("claimants") or [],
            unanswerable=bool(q.get("unanswerable")),
        )
        evidence = [[Span(e["article_id"], e["start"], e["end"]) for e in g] for g in q["evidence"]]
        answer = AnswerPublic.model_validate(q["answer"]) if q.get("answer") else None
        golds.append(gold)
        scores.append(score_answer(gold, evidence, answer, {}))
    metrics = aggregate(golds, scores)
    return {k: metrics[k] for k in RESCORED}


def rescore_command(
    results: Annotated[list[Path], typer.Argument(help="results JSON files of `eval run`")],
) -> None:
    """Score the answers stored in results files again with this tree's scorer."""
    for path in results:
        try:
            metrics = rescore(json.loads(path.read_text(encoding="utf-8")))
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise typer.BadParameter(
                f"{path} is not a results file of `accordingto eval run` ({exc})",
                param_hint="RESULTS",
            ) from None
        figures = "  ".join(f"{k} {'n/a' if v is None else f'{v:.3f}'}" for k, v in metrics.items())
        typer.echo(f"{path}: {figures}")
