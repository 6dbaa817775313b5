"""Ask every gold question (in-process or over HTTP), score the answers, write the results.

Both back-ends return the public /ask JSON (`AnswerPublic`), so one scoring path serves
them; the in-process one indexes its corpus into a cache keyed by the inputs' hash.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import importlib
import json
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal, Optional, Protocol

import httpx
import typer
from pydantic import ValidationError

from app.schemas import AnswerPublic, AskRequest, Filters
from app.service import Service
from app.settings import Settings, embedder_for
from eval.gold import EvidenceSpans, GoldQuestion, Span, resolve_evidence
from eval.metrics import (
    LOWER_IS_BETTER,
    METRICS,
    QuestionScore,
    Verifier,
    aggregate,
    score_answer,
)
from indexer.build import BuildOptions, update_index
from indexer.embed import Embedder
from indexer.index import current_version
from indexer.models import Article

INDEXER_SOURCES = Path(__file__).resolve().parents[1] / "indexer"


class AskError(Exception):
    """A question the service refused or failed on (kept in the record, scored as refused)."""


class Backend(Protocol):
    mode: str

    def ask(self, q: GoldQuestion, top_k: int, generator: str | None) -> AnswerPublic: ...

    def retrieve(self, q: GoldQuestion, top_k: int) -> list[Span]: ...

    def texts(self) -> dict[str, str]: ...


class InProcess:
    """The library, exactly as the /ask route calls it."""

    mode = "in-process"

    def __init__(self, settings: Settings) -> None:
        self.service = Service(settings)

    def ask(self, q: GoldQuestion, top_k: int, generator: str | None) -> AnswerPublic:
        try:
            body = AskRequest.model_validate(
                {
                    "question": q.question,
                    "top_k": top_k,
                    "filters": q.filters,
                    "generator": generator,
                }
            )
        except ValidationError as exc:
            raise AskError(str(exc)) from None
        flt = body.filters.to_filter() if body.filters else None
        return AnswerPublic.of(self.service.ask(body.question, body.top_k, flt, body.generator))

    def retrieve(self, q: GoldQuestion, top_k: int) -> list[Span]:
        flt = Filters.model_validate(q.filters).to_filter() if q.filters else None
        passages = self.service.retriever().passages(q.question, top_k, flt)
        return [Span(p.article.id, p.chunk.start, p.chunk.end) for p in passages]

    def texts(self) -> dict[str, str]:
        store = self.service.index().store
        total, _ = store.articles(0, 1)
        return {a.id: a.text for a in store.articles(0, max(total, 1))[1]}


class OverHTTP:
    """A running server, through its public endpoints only."""

    mode = "http"

    def __init__(self, url: str, timeout: float = 120.0) -> None:
        self.client = httpx.Client(base_url=url, timeout=timeout)

    def ask(self, q: GoldQuestion, top_k: int, generator: str | None) -> AnswerPublic:
        body: dict[str, Any] = {"question": q.question, "top_k": top_k}
        if q.filters:
            body["filters"] = q.filters
        if generator:
            body["generator"] = generator
        r = self.client.post("/ask", json=body)
        if r.status_code != 200:
            raise AskError(f"HTTP {r.status_code}: {r.text[:300]}")
        return AnswerPublic.model_validate(r.json())

    def retrieve(self, q: GoldQuestion, top_k: int) -> list[Span]:
        r = self.client.get(
            "/search", params={"q": q.question, "top_k": top_k, **(q.filters or {})}
        )
        r.raise_for_status()
        return [Span(h["article_id"], h["start"], h["end"]) for h in r.json()["hits"]]

    def texts(self) -> dict[str, str]:
        ids: list[str] = []
        while True:
            page = self.client.get("/articles", params={"offset": len(ids), "limit": 500})
            page.raise_for_status()
            data = page.json()
            ids += [a["id"] for a in data["items"]]
            if not data["items"] or len(ids) >= data["total"]:
                break
        return {i: self.client.get(f"/articles/{i}").raise_for_status().json()["text"] for i in ids}


@dataclass
class Record:
    gold: GoldQuestion
    evidence: list[EvidenceSpans]
    answer: AnswerPublic | None
    error: str | None
    score: QuestionScore

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.gold.id,
            "question": self.gold.question,
            "tags": self.gold.tags,
            "unanswerable": self.gold.unanswerable,
            "facts": self.gold.facts,
            "claimants": self.gold.claimants,
            "evidence": [[vars(s) for s in ev] for ev in self.evidence],
            "answer": self.answer.model_dump(mode="json") if self.answer else None,
            "error": self.error,
            "scores": self.score.as_dict(),
        }


def load_verifier(settings: Settings) -> Verifier | None:
    """The project's citation verifier (`app.verify.support`), or None where it does not
    exist yet; the ALCE metric is then reported as unavailable, never estimated."""
    support = getattr(importlib.import_module("app.verify"), "support", None)
    if support is None:
        return None
    embedder = embedder_for(settings)

    def verify(
        sentence: str, cited: list[str], claimants: list[str] | None, context: list[str]
    ) -> bool:
        return bool(support(sentence, cited, embedder, claimants, context).supported)

    return verify


def run(
    questions: Sequence[GoldQuestion],
    backend: Backend,
    top_k: int,
    generator: str | None = None,
    verifier: Verifier | None = None,
) -> list[Record]:
    """Ask every question through `backend` and score its answer (a progress bar on stderr
    when it is a terminal)."""
    from tqdm import tqdm

    texts = backend.texts()
    # Resolve all evidence first: a quote that matches no article is a gold-file error.
    evidence = [resolve_evidence(q, texts) for q in questions]
    records = []
    asking = tqdm(
        zip(questions, evidence, strict=True),
        total=len(questions),
        desc="questions",
        unit="q",
        disable=None,  # None: only on a terminal, so logs and CI output stay clean
    )
    for q, ev in asking:
        began = time.perf_counter()
        answer, error = None, None
        try:
            answer = backend.ask(q, top_k, generator)
        except AskError as exc:
            error = str(exc)
        latency = time.perf_counter() - began
        score = score_answer(q, ev, answer, texts, backend.retrieve(q, top_k), verifier)
        score.latency_s = latency
        records.append(Record(q, ev, answer, error, score))
    return records


def results(records: Sequence[Record], meta: dict[str, Any]) -> dict[str, Any]:
    """The results document: run metadata, metrics, metrics per tag, per-question records."""
    golds = [r.gold for r in records]
    scores = [r.score for r in records]
    tags = sorted({t for g in golds for t in g.tags})
    by_tag = {}
    for tag in tags:
        picked = [(g, s) for g, s in zip(golds, scores, strict=True) if tag in g.tags]
        by_tag[tag] = {
            "n": len(picked),
            **aggregate([g for g, _ in picked], [s for _, s in picked]),
        }
    return {
        "meta": {**meta, "n": len(records), "finished_at": dt.datetime.now(dt.UTC).isoformat()},
        "metrics": aggregate(golds, scores),
        "by_tag": by_tag,
        "questions": [r.as_dict() for r in records],
    }


@dataclass(frozen=True)
class Threshold:
    """`--fail-under` (a floor, higher is better) or `--fail-over` (a ceiling)."""

    metric: str
    value: float
    kind: Literal["under", "over"]

    def failure(self, value: float | None) -> str | None:
        """A sentence naming the metric, its value and the threshold, if it is not met."""
        if value is None:
            return f"{self.metric} is unavailable (threshold {self.value})"
        if self.kind == "under" and value < self.value:
            return f"{self.metric} = {value:.3f} is below the threshold {self.value}"
        if self.kind == "over" and value > self.value:
            return f"{self.metric} = {value:.3f} is above the threshold {self.value}"
        return None


def parse_thresholds(specs: Sequence[str], kind: Literal["under", "over"]) -> list[Threshold]:
    """`METRIC=VALUE` strings; a bad one, or one given the wrong way round for its metric,
    raises ValueError saying how to fix it."""
    option, other = (
        ("--fail-under", "--fail-over") if kind == "under" else ("--fail-over", "--fail-under")
    )
    thresholds = []
    for spec in specs:
        name, _, value = spec.partition("=")
        try:
            if name not in METRICS:
                raise ValueError
            number = float(value)
        except ValueError:
            raise ValueError(
                f"bad threshold '{spec}': write METRIC=VALUE, e.g. correctness=0.6, with "
                "METRIC one of " + ", ".join(METRICS)
            ) from None
        if (name in LOWER_IS_BETTER) != (kind == "over"):
            better = "lower" if name in LOWER_IS_BETTER else "higher"
            raise ValueError(
                f"{name} is better {better}, so {option} {spec} would fail good runs: "
                f"use {other} {spec}"
            )
        thresholds.append(Threshold(name, number, kind))
    return thresholds


def failed_thresholds(
    metrics: dict[str, float | None], thresholds: Sequence[Threshold]
) -> list[str]:
    """The thresholds not met, each as a sentence naming the metric, its value and threshold."""
    return [f for t in thresholds if (f := t.failure(metrics[t.metric])) is not None]


def write_questions(path: Path, doc: dict[str, Any]) -> None:
    """One row per question, as CSV or JSONL (by the file's suffix): its id, question, tags,
    scores, latency and answer, for a spreadsheet or a script."""
    rows = [
        {
            "id": q["id"],
            "question": q["question"],
            "tags": " ".join(q.get("tags", [])),
            **{k: v for k, v in q["scores"].items() if not isinstance(v, list | dict)},
            "error": q.get("error"),
            "answer": (q.get("answer") or {}).get("answer"),
        }
        for q in doc["questions"]
    ]
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as f:
        if path.suffix == ".csv":
            fields = list(dict.fromkeys(k for row in rows for k in row))
            writer = csv.DictWriter(f, fieldnames=fields)
            writer.writeheader()
            writer.writerows(rows)
        else:
            f.writelines(json.dumps(row, ensure_ascii=False) + "\n" for row in rows)


def corpus_index(
    articles: Sequence[Article], cache_dir: Path, settings: Settings, embedder: Embedder
) -> Path:
    """An index of `articles`, built once per distinct input: the articles, the indexing
    settings and the indexer's own source and data (so a changed claim extractor, or
    retrained tagger weights, rebuild)."""
    h = hashlib.sha256()
    for part in sorted(f"{a.id}:{a.content_hash}" for a in articles):
        h.update(part.encode())
    h.update(
        f"{embedder.name}|{settings.chunk_max_chars}|{settings.chunk_overlap}|"
        f"{settings.claim_extractor}".encode()
    )
    for source in sorted(INDEXER_SOURCES.rglob("*")):
        if source.is_file() and source.suffix in (".py", ".json", ".pt"):
            h.update(source.read_bytes())
    index_dir = cache_dir / h.hexdigest()[:16]
    if current_version(index_dir) is None:
        update_index(
            index_dir,
            embedder,
            articles,
            options=BuildOptions(
                chunk_max_chars=settings.chunk_max_chars,
                chunk_overlap=settings.chunk_overlap,
                claim_extractor=settings.claim_extractor,
                rebuild=True,
                # Indexing a PolNeAR split takes minutes: show it, on a terminal only.
                progress=sys.stderr.isatty(),
            ),
        )
    return index_dir


def write_results(path: Path, doc: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(doc, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


# The command line: `accordingto eval run` (registered in eval/cli.py).

DEFAULT_OUT = Path("results/run.json")


def run_command(
    gold: Annotated[
        Optional[Path],  # noqa: UP045 - typer needs Optional on 3.11
        typer.Argument(help="gold questions (JSONL); omit it with --polnear to sample them"),
    ] = None,
    url: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option(help="ask a running server (e.g. http://127.0.0.1:8000); default in-process"),
    ] = None,
    generator: Annotated[
        Optional[str], typer.Option(help="extractive or llm")  # noqa: UP045
    ] = None,
    corpus: Annotated[
        Optional[list[Path]],  # noqa: UP045
        typer.Option(help="articles to index for in-process runs (default: samples/)"),
    ] = None,
    index_dir: Annotated[
        Optional[Path],  # noqa: UP045
        typer.Option(help="use (or build the corpus into) this index instead of the cache"),
    ] = None,
    polnear: Annotated[
        Optional[Path],  # noqa: UP045
        typer.Option(help="PolNeAR folder: index its --split (and sample questions if no GOLD)"),
    ] = None,
    split: Annotated[str, typer.Option(help="PolNeAR split")] = "dev",
    n: Annotated[int, typer.Option(help="PolNeAR questions to sample")] = 50,
    seed: Annotated[int, typer.Option(help="PolNeAR sampling seed")] = 0,
    top_k: Annotated[
        Optional[int], typer.Option(help="passages per question (default: settings)")  # noqa: UP045
    ] = None,
    out: Annotated[Path, typer.Option(help="results JSON")] = DEFAULT_OUT,
    report: Annotated[
        Optional[Path], typer.Option(help="Markdown report (PNG plots beside it)")  # noqa: UP045
    ] = Path("results/report.md"),
    compare: Annotated[
        Optional[Path], typer.Option(help="a previous results JSON to compare with")  # noqa: UP045
    ] = None,
    fail_under: Annotated[
        Optional[list[str]],  # noqa: UP045
        typer.Option(
            help="METRIC=VALUE: exit 1 when METRIC is below VALUE, for metrics where higher "
            "is better (repeatable)"
        ),
    ] = None,
    fail_over: Annotated[
        Optional[list[str]],  # noqa: UP045
        typer.Option(
            help="METRIC=VALUE: exit 1 when METRIC is above VALUE, for misattribution_rate "
            "and latency_p50/p95 (repeatable)"
        ),
    ] = None,
    questions_out: Annotated[
        Optional[Path],  # noqa: UP045
        typer.Option("--questions-out", help="one row per question: a .csv or .jsonl file"),
    ] = None,
    cache_dir: Annotated[
        Path, typer.Option(help="where in-process runs keep the indexes they build")
    ] = Path("results/.index-cache"),
) -> None:
    """Ask gold questions, score the answers, write results JSON and a Markdown report."""
    from app.settings import get_settings
    from eval.gold import GoldFormatError, load_gold
    from eval.polnear import PolnearFormatError, load_split
    from eval.polnear_questions import sample_questions
    from eval.report import render_summary, write_report
    from indexer.ingest import load_paths

    settings = get_settings()
    if questions_out is not None and questions_out.suffix not in (".csv", ".jsonl"):
        raise typer.BadParameter("name a .csv or .jsonl file", param_hint="--questions-out")
    try:
        thresholds = [
            *parse_thresholds(fail_under or [], "under"),
            *parse_thresholds(fail_over or [], "over"),
        ]
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from None
    try:
        docs = load_split(polnear, split) if polnear else []
        if gold is not None:
            questions = load_gold(gold)
        elif docs:
            questions = sample_questions(docs, split, n, seed)
        else:
            raise typer.BadParameter("give a gold file, or --polnear DATA_DIR to sample one")
    except (GoldFormatError, PolnearFormatError, OSError) as exc:
        raise typer.BadParameter(str(exc)) from None
    backend: Backend
    if url:
        backend, where = OverHTTP(url), url
    else:
        articles = [d.article for d in docs] or load_paths(corpus or [Path("samples")]).articles
        embedder = embedder_for(settings)
        if index_dir is None:
            index_dir = corpus_index(articles, cache_dir, settings, embedder)
        elif current_version(index_dir) is None:
            update_index(
                index_dir, embedder, articles, options=BuildOptions(progress=sys.stderr.isatty())
            )
        backend, where = (
            InProcess(settings.model_copy(update={"index_dir": index_dir})),
            str(index_dir),
        )
    k = top_k or settings.default_top_k
    verifier = load_verifier(settings)
    try:
        records = run(questions, backend, k, generator, verifier)
    except GoldFormatError as exc:
        raise typer.BadParameter(str(exc)) from None
    doc = results(
        records,
        {
            "gold": str(gold) if gold else f"polnear:{polnear}:{split}:n={n}:seed={seed}",
            "mode": backend.mode,
            "target": where,
            "generator": generator or settings.generator,
            "top_k": k,
            "verifier": "app.verify.support" if verifier else None,
        },
    )
    write_results(out, doc)
    previous = json.loads(compare.read_text(encoding="utf-8")) if compare else None
    typer.echo(render_summary(doc, previous))
    typer.echo(f"results written to {out}")
    if questions_out is not None:
        write_questions(questions_out, doc)
        typer.echo(f"per-question rows written to {questions_out}")
    if report is not None:
        write_report(report, doc, previous)
        typer.echo(f"report written to {report}")
    failures = failed_thresholds(doc["metrics"], thresholds)
    for failure in failures:
        typer.secho(f"FAIL: {failure}", fg=typer.colors.RED, err=True)
    if failures:
        raise typer.Exit(code=1)
