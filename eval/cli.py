"""Evaluation commands, mounted by the main CLI as `accordingto eval ...`."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer

from eval.claims_eval import evaluate, render_table
from eval.conflicts_eval import conflicts_command
from eval.extractors import ClaimExtractor, claim_extractor
from eval.injection_eval import injection_command
from eval.learn_cues import learn_cues_command
from eval.polnear import PolnearFormatError, load_split
from eval.polnear_questions import polnear_questions_command
from eval.rescore import rescore_command
from eval.runner import run_command
from eval.verifier_eval import verifier_command
from indexer.models import Article, Claim
from indexer.split import parse, sentences

eval_app = typer.Typer(help="Benchmarks for the indexer and the answers.", no_args_is_help=True)


@eval_app.callback()
def _group() -> None:
    """Benchmarks for the indexer and the answers."""


def extract_with_timing(article: Article) -> tuple[list[Claim], float]:
    """Parse `article` as the indexer does and extract its claims by the rules; also the
    parse time."""
    return _timed(article, claim_extractor("rules"))


def tagger_extractor(weights: Path | None) -> Callable[[Article], tuple[list[Claim], float]]:
    """Extraction as the indexer does it with the learned tagger: parse, chunks, one
    encoder pass over them (counted as extraction time), the tagger; also the parse time."""
    extract = claim_extractor("model", weights)
    return lambda article: _timed(article, extract)


def _timed(article: Article, extract: ClaimExtractor) -> tuple[list[Claim], float]:
    began = time.perf_counter()
    doc = parse(article.text)
    parse_seconds = time.perf_counter() - began
    return extract(doc, sentences(doc, article.id), article), parse_seconds


@eval_app.command()
def claims(
    data_dir: Annotated[Path, typer.Argument(help="PolNeAR folder (metadata.tsv, <split>/...)")],
    split: Annotated[str, typer.Option(help="Compartment to score: train or dev.")] = "dev",
    limit: Annotated[int | None, typer.Option(help="Score only the first N articles.")] = None,
    out: Annotated[Path, typer.Option(help="Where to write the JSON results.")] = Path(
        "results/claims_dev.json"
    ),
    markdown: Annotated[
        Path | None, typer.Option(help="Also write the table as markdown here.")
    ] = None,
    extractor: Annotated[
        str, typer.Option(help="model (the learned tagger, as the indexer runs it) or rules")
    ] = "model",
    weights: Annotated[
        Path | None, typer.Option(help="tagger weights (default: the shipped ones)")
    ] = None,
    min_f1: Annotated[
        float | None, typer.Option(help="exit 1 when content F1 is below this")
    ] = None,
    min_source_accuracy: Annotated[
        float | None, typer.Option(help="exit 1 when source accuracy is below this")
    ] = None,
) -> None:
    """Score claim extraction against PolNeAR's gold attributions."""
    from indexer.attribution.extract import EXTRACTORS

    if extractor not in EXTRACTORS:
        raise typer.BadParameter("use model or rules", param_hint="--extractor")
    try:
        docs = load_split(data_dir, split, limit)
    except PolnearFormatError as e:
        raise typer.BadParameter(str(e), param_hint="DATA_DIR") from e
    extract = tagger_extractor(weights) if extractor == "model" else extract_with_timing
    report = evaluate(docs, extract, split=split)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report.as_dict(), indent=2) + "\n", encoding="utf-8")
    typer.echo(render_table(report))
    typer.echo(f"results written to {out}")
    if markdown is not None:
        markdown.parent.mkdir(parents=True, exist_ok=True)
        markdown.write_text(render_table(report, markdown=True) + "\n", encoding="utf-8")
    below = [
        f"{name} {value:.3f} < {floor}"
        for name, value, floor in (
            ("content F1", report.overall.strict.f1, min_f1),
            ("source accuracy", report.overall.source_accuracy, min_source_accuracy),
        )
        if floor is not None and value < floor
    ]
    if below:
        typer.secho("below threshold: " + "; ".join(below), fg=typer.colors.RED, err=True)
        raise typer.Exit(code=1)


@eval_app.command("claims-errors")
def claims_errors(
    data_dir: Annotated[Path, typer.Argument(help="PolNeAR folder (metadata.tsv, <split>/...)")],
    split: Annotated[str, typer.Option(help="Compartment: train or dev.")] = "dev",
    n: Annotated[int, typer.Option(help="misses to sample and list")] = 50,
    seed: Annotated[int, typer.Option()] = 0,
    extractor: Annotated[str, typer.Option(help="model or rules")] = "model",
) -> None:
    """Sort the gold attributions the extractor misses by kind, and list a sample."""
    from eval.claims_errors import misses, sample_report

    try:
        docs = load_split(data_dir, split)
    except PolnearFormatError as e:
        raise typer.BadParameter(str(e), param_hint="DATA_DIR") from e
    extract = tagger_extractor(None) if extractor == "model" else extract_with_timing
    typer.echo(sample_report(misses(docs, extract), n, seed))


eval_app.command("run")(run_command)
eval_app.command("polnear-questions")(polnear_questions_command)
eval_app.command("verifier")(verifier_command)
eval_app.command("learn-cues")(learn_cues_command)
eval_app.command("injection")(injection_command)
eval_app.command("conflicts")(conflicts_command)
eval_app.command("rescore")(rescore_command)


if __name__ == "__main__":
    eval_app()
