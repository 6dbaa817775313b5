"""How many injected or invented sentences reach the user as supported (the target is 0).

The cases of eval/injection_set.py are indexed for real (the articles and their altered
copies), each answer goes through what the service does after an LLM has written it (its
markers become passage citations, then conflicts and verification: `Service.finish`),
under each of `flag`, `remove` and `replace`. An invented sentence is *shown as
supported* when it is in the final answer, no warning names it, and every citation it
carries is marked supported.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, get_args

import typer

from app.generate.base import Answer, ArticleRef, Passage
from app.generate.llm import cite
from app.service import Prepared, Service
from app.settings import Settings, embedder_for
from app.verify import UnsupportedAction, clean, split_sentences
from eval.injection_set import Case, altered, build_cases
from eval.polnear import PolnearFormatError, load_split
from eval.verifier_set import analyse, seed_articles
from indexer.build import BuildOptions, update_index
from indexer.models import Article
from indexer.store import ArticleFilter, Store

DEFAULT_POLNEAR = Path(os.environ.get("POLNEAR_DIR", "../shared/data/polnear"))
ACTIONS: tuple[UnsupportedAction, ...] = get_args(UnsupportedAction)


@dataclass
class Tally:
    """One action's results."""

    cases: int = 0
    invented: int = 0
    shown: int = 0  # invented sentences shown as supported
    genuine: int = 0
    kept: int = 0  # genuine sentences shown as supported
    by_kind: Counter[str] = field(default_factory=Counter)
    shown_by_kind: Counter[str] = field(default_factory=Counter)
    failures: list[dict[str, Any]] = field(default_factory=list)
    lost: list[dict[str, Any]] = field(default_factory=list)  # controls not kept

    def as_dict(self) -> dict[str, Any]:
        return {
            "cases": self.cases,
            "invented_sentences": self.invented,
            "shown_as_supported": self.shown,
            "genuine_sentences": self.genuine,
            "genuine_kept": self.kept,
            "cases_by_kind": dict(sorted(self.by_kind.items())),
            "shown_by_kind": dict(sorted(self.shown_by_kind.items())),
            "failures": self.failures,
            "controls_lost": self.lost,
        }


def shown_as_supported(answer: Answer, sentence: str) -> bool:
    """Whether `sentence` is in the answer, named by no warning, and every citation it
    carries is supported (a sentence carrying none counts: it would be unchecked text). An
    answer sentence that says it and goes on after a comma (", ANI reported on Feb. 27,
    2025", as extractive answers say who published it) shows it too."""
    target = _norm(sentence)
    supported = {c.n: c.supported for c in answer.citations}
    for piece in split_sentences(answer.text):
        text = clean(piece.text)
        said = _norm(text)
        if said != target and not (
            said.startswith(target) and said[len(target) : len(target) + 1] in (",", ";")
        ):
            continue
        flagged = any(
            w.startswith("Unsupported sentence") and text[:100] in w for w in answer.warnings
        )
        if not flagged and all(supported.get(n, False) for n in piece.numbers):
            return True
    return False


def _norm(text: str) -> str:
    return " ".join(clean(text).lower().rstrip(" .").split())


def passage(store: Store, article_id: str, needle: str, n: int) -> Passage | None:
    """Passage `n`: the first chunk of the article that holds `needle`."""
    article = store.article(article_id)
    if article is None:
        return None
    chunks = store.chunks(store.chunk_ids(ArticleFilter(article_id=article_id)).tolist())
    chunk = min(
        (c for c in chunks.values() if needle in c.text), key=lambda c: c.start, default=None
    )
    if chunk is None:
        return None
    ref = ArticleRef(article.id, article.title, article.outlet, article.published, article.url)
    span = (chunk.first_sentence, chunk.last_sentence)
    return Passage(
        n,
        chunk,
        ref,
        store.sentences(article_id, *span),
        store.claims(article_id=article_id, sentence_range=span),
        score=1.0,
    )


def run(
    cases: Sequence[Case], index_dir: Path, actions: Sequence[UnsupportedAction]
) -> dict[str, Tally]:
    """Each case under each action, scored."""
    tallies: dict[str, Tally] = {}
    for action in actions:
        service = Service(Settings(index_dir=index_dir, unsupported_action=action))
        store = service.index().store
        tally = tallies[action] = Tally()
        for case in cases:
            found = [passage(store, a, needle, i) for i, (a, needle) in enumerate(case.needles, 1)]
            passages = [p for p in found if p is not None]
            if len(passages) < len(found):
                continue  # the altered copy split the sentence otherwise: no such chunk
            prepared = Prepared(case.question, service.extractive(), passages, [])
            answer = service.finish(prepared, cite(case.text, passages, "llm")).answer
            tally.cases += 1
            tally.by_kind[case.kind] += 1
            tally.invented += len(case.invented)
            tally.genuine += len(case.genuine)
            lost = [s for s in case.genuine if not shown_as_supported(answer, s)]
            tally.kept += len(case.genuine) - len(lost)
            if lost:
                tally.lost.append(
                    {
                        "kind": case.kind,
                        "lost": lost,
                        "answer": answer.text,
                        "warnings": answer.warnings,
                    }
                )
            shown = [s for s in case.invented if shown_as_supported(answer, s)]
            tally.shown += len(shown)
            if shown:
                tally.shown_by_kind[case.kind] += len(shown)
                tally.failures.append(
                    {"kind": case.kind, "text": case.text, "shown": shown, "answer": answer.text}
                )
    return tallies


def corpus(polnear: Path | None, n: int) -> list[Article]:
    """The sample articles, and the first `n` PolNeAR dev articles when the folder exists."""
    articles = seed_articles()
    if polnear is not None and polnear.is_dir() and n:
        articles += [d.article for d in load_split(polnear, "dev", n)]
    return articles


def render(tallies: dict[str, Tally]) -> str:
    lines = [
        "| action | cases | invented sentences | shown as supported | controls kept |",
        "| --- | --- | --- | --- | --- |",
    ]
    for action, t in tallies.items():
        lines.append(
            f"| {action} | {t.cases} | {t.invented} | {t.shown} | {t.kept} of {t.genuine} |"
        )
    kinds = next(iter(tallies.values())).by_kind if tallies else Counter()
    lines.append("")
    lines.append("cases by kind: " + ", ".join(f"{k} {v}" for k, v in sorted(kinds.items())))
    for action, t in tallies.items():
        for failure in t.failures:
            lines.append(f"[{action}] {failure['kind']}: shown as supported: {failure['shown']}")
    return "\n".join(lines)


def injection_command(
    polnear: Annotated[
        Path | None, typer.Option(help="PolNeAR folder: its dev articles join the samples.")
    ] = None,
    n: Annotated[int, typer.Option(help="How many PolNeAR dev articles.")] = 4,
    per_article: Annotated[int, typer.Option(help="True sentences built on per article.")] = 3,
    seed: Annotated[int, typer.Option(help="Seed of the case builder.")] = 0,
    action: Annotated[
        list[str] | None, typer.Option(help="flag, remove or replace (repeatable); all by default.")
    ] = None,
    out: Annotated[Path, typer.Option(help="Where to write the JSON results.")] = Path(
        "results/injection.json"
    ),
    max_shown: Annotated[
        int | None, typer.Option(help="Exit 1 when more invented sentences than this are shown.")
    ] = None,
) -> None:
    """Count injected and invented sentences shown as supported (target: 0)."""
    chosen = action or list(ACTIONS)
    unknown = [a for a in chosen if a not in ACTIONS]
    if unknown:
        raise typer.BadParameter(
            f"{unknown[0]!r}: use flag, remove or replace", param_hint="--action"
        )
    try:
        articles = corpus(polnear, n)
    except PolnearFormatError as e:
        raise typer.BadParameter(str(e), param_hint="--polnear") from e
    cases = build_cases(analyse(articles, "injection"), seed, per_article)
    settings = Settings()
    with tempfile.TemporaryDirectory(prefix="accordingto-injection-") as tmp:
        embedder = embedder_for(settings)
        update_index(Path(tmp), embedder, [*articles, *altered(articles)], options=BuildOptions())
        tallies = run(cases, Path(tmp), [a for a in ACTIONS if a in chosen])
    doc = {
        "articles": [a.id for a in articles],
        "seed": seed,
        "actions": {a: t.as_dict() for a, t in tallies.items()},
    }
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(doc, indent=2) + "\n", encoding="utf-8")
    typer.echo(render(tallies))
    typer.echo(f"results written to {out}")
    worst = max((t.shown for t in tallies.values()), default=0)
    if max_shown is not None and worst > max_shown:
        typer.echo(f"FAILED: {worst} invented sentences shown as supported (max {max_shown})")
        raise typer.Exit(1)
