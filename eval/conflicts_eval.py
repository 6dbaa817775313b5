"""The conflict benchmark: labelled pairs of claims from real articles, conflicting or not,
scored against what the conflict finder reports from the claims the indexer extracts
(by the learned tagger it ships, or by the rules).

A file is JSONL, one pair a line (see the README's Evaluation section):

    {"id": "...", "kind": "figures|denial|dispute|revision", "conflict": true,
     "split": "tune|test|holdout", "note": "why, in the labeller's words",
     "a": {"article": "polnear:dev/NAME", "start": 10, "end": 90, "sha1": "..."},
     "b": {"article": "samples:000_8af7fcc676007934", "start": 120, "end": 200, "sha1": "..."}}

Sides hold offsets, never text: the text is read from the PolNeAR folder (or the samples)
at evaluation time, and `sha1` (its first 12 hex digits) proves that it is still the text
that was labelled.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import typer

from app import stance
from app.conflicts import ConflictFinder, Located, Position, claim_figures
from app.generate.base import ArticleRef
from eval.extractors import claim_extractor
from eval.polnear import _article as polnear_article
from eval.verifier_eval import Scores
from eval.verifier_set import seed_articles
from indexer.embed import BUNDLED_MODEL, get_embedder
from indexer.models import Article, Claim, Sentence
from indexer.split import parse, sentences

KINDS = ("figures", "denial", "dispute", "revision")
# tune: what the finder was tuned on; test: reported on; holdout: labelled in session 11
# by a labeller who never ran or read the finder, from articles in neither part, and
# never read pair by pair by whoever tunes it (its figures only, `--why` counts at most).
SPLITS = ("tune", "test", "holdout")
DEFAULT_POLNEAR = Path(os.environ.get("POLNEAR_DIR", "../shared/data/polnear"))


class ConflictSetError(Exception):
    """The benchmark file is malformed, or an item no longer matches its article."""


@dataclass(frozen=True)
class Side:
    article: str  # "polnear:<split>/<name>" or "samples:<article id>"
    start: int
    end: int
    sha1: str


@dataclass(frozen=True)
class Item:
    id: str
    kind: str
    conflict: bool
    split: str
    a: Side
    b: Side
    note: str = ""


def span_hash(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:12]


def load_items(path: Path) -> list[Item]:
    """The items of a benchmark file; an error names the file, line and field."""
    items: list[Item] = []
    seen: set[str] = set()
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        where = f"{path}:{n}"
        try:
            raw = json.loads(line)
        except json.JSONDecodeError as e:
            raise ConflictSetError(f"{where}: not JSON ({e.msg}); one object per line.") from e
        item = _item(raw, where)
        if item.id in seen:
            raise ConflictSetError(f"{where}: id {item.id!r} is used twice; ids must be unique.")
        seen.add(item.id)
        items.append(item)
    return items


def _item(raw: Any, where: str) -> Item:
    if not isinstance(raw, dict):
        raise ConflictSetError(f"{where}: a line must be a JSON object.")

    def field(name: str, kind: type, allowed: Iterable[object] | None = None) -> Any:
        value = raw.get(name)
        if not isinstance(value, kind) or (allowed is not None and value not in allowed):
            expected = f"one of {', '.join(map(str, allowed))}" if allowed else kind.__name__
            raise ConflictSetError(f"{where}: field '{name}' must be {expected}, got {value!r}.")
        return value

    sides = []
    for name in ("a", "b"):
        side = field(name, dict)
        try:
            sides.append(
                Side(str(side["article"]), int(side["start"]), int(side["end"]), str(side["sha1"]))
            )
        except (KeyError, TypeError, ValueError) as e:
            raise ConflictSetError(
                f"{where}: field '{name}' needs article, start, end and sha1 ({e})."
            ) from e
    return Item(
        field("id", str),
        field("kind", str, KINDS),
        field("conflict", bool),
        field("split", str, SPLITS),
        sides[0],
        sides[1],
        str(raw.get("note", "")),
    )


def load_articles(items: list[Item], polnear: Path | None) -> dict[str, Article]:
    """The articles the items name, keyed as the items name them, with every side checked
    against its hash: an item whose text no longer matches is an error naming it."""
    samples = {f"samples:{a.id}": a for a in seed_articles()}
    out: dict[str, Article] = {}
    for ref in sorted({side.article for item in items for side in (item.a, item.b)}):
        if ref in samples:
            out[ref] = samples[ref]
        elif ref.startswith("polnear:"):
            if polnear is None:
                raise ConflictSetError(f"{ref} needs the PolNeAR folder: pass --polnear DIR.")
            path = polnear / (ref.removeprefix("polnear:").replace("/", "/text/", 1) + ".txt")
            if not path.exists():
                raise ConflictSetError(f"{ref}: no {path}; is --polnear the PolNeAR folder?")
            out[ref] = polnear_article(path, {})
        else:
            raise ConflictSetError(
                f"{ref}: an article is 'polnear:<split>/<name>' or 'samples:<id>'."
            )
    for item in items:
        for name, side in (("a", item.a), ("b", item.b)):
            text = out[side.article].text[side.start : side.end]
            if not text or span_hash(text) != side.sha1:
                raise ConflictSetError(
                    f"item {item.id}: side {name} ({side.article} {side.start}-{side.end}) no "
                    "longer holds the labelled text; relabel it or restore the article."
                )
    return out


def claim_reader(extractor: str = "model") -> Callable[[Article], list[Located]]:
    """An article's claims as the indexer extracts them (`model`: the learned tagger it
    ships; `rules`: the rules alone), each with its sentence."""
    extract = claim_extractor(extractor)
    # Each article is read once: the evaluation asks for it once per pair side.
    done: dict[str, list[Located]] = {}

    def read(article: Article) -> list[Located]:
        if article.id not in done:
            done[article.id] = _read(article)
        return done[article.id]

    def _read(article: Article) -> list[Located]:
        doc = parse(article.text)
        sents = sentences(doc, article.id)
        by_idx: dict[int, Sentence] = {s.idx: s for s in sents}
        ref = ArticleRef(article.id, article.title, article.outlet, article.published, article.url)
        return [
            Located(c, by_idx[c.sentence_idx], ref)
            for c in extract(doc, sents, article)
            if c.sentence_idx in by_idx
        ]

    return read


def _evidence(position: Position, loc: Located) -> tuple[int, int]:
    """Where a position's evidence is in its article: the figure or content it states
    when its sentence holds it word for word, else its claim, cue to content."""
    s = loc.sentence
    at = s.text.find(position.value)
    if at >= 0:
        return s.start + at, s.start + at + len(position.value)
    return _claim_span(loc.claim)


def _claim_span(c: Claim) -> tuple[int, int]:
    """A claim from its cue to its content, whichever comes first."""
    return min(c.cue.start, c.content.start), max(c.cue.end, c.content.end)


def _covers(span: tuple[int, int], loc: Located, article_id: str, side: Side) -> bool:
    return loc.sentence.article_id == article_id and span[0] < side.end and side.start < span[1]


def evaluate(
    items: list[Item],
    articles: dict[str, Article],
    finder: ConflictFinder,
    claims_of: Callable[[Article], list[Located]],
) -> tuple[dict[str, Scores], list[dict[str, Any]]]:
    """Scores per kind, and each item with whether a reported conflict covers both sides:
    two of its positions on opposite sides, one whose evidence (the figure or content it
    states, else its claim) overlaps side a and the other side b."""
    counts: dict[str, Counter[str]] = {k: Counter() for k in KINDS}
    rows: list[dict[str, Any]] = []
    for item in items:
        refs = dict.fromkeys((item.a.article, item.b.article))
        located = [loc for ref in refs for loc in claims_of(articles[ref])]
        ids = {ref: articles[ref].id for ref in refs}
        found = None
        for conflict, locs in finder.conflicts(located):
            spans = [
                (_evidence(p, loc), loc) for p, loc in zip(conflict.positions, locs, strict=True)
            ]
            on_a = [
                k
                for k, (sp, loc) in enumerate(spans)
                if _covers(sp, loc, ids[item.a.article], item.a)
            ]
            on_b = [
                k
                for k, (sp, loc) in enumerate(spans)
                if _covers(sp, loc, ids[item.b.article], item.b)
            ]
            sides = conflict.positions
            if any(sides[x].side != sides[y].side for x in on_a for y in on_b):
                found = conflict
                break
        outcome = {(True, True): "tp", (True, False): "fn", (False, True): "fp"}.get(
            (item.conflict, found is not None), "tn"
        )
        counts[item.kind][outcome] += 1
        rows.append(
            {
                "id": item.id,
                "kind": item.kind,
                "conflict": item.conflict,
                "found": found is not None,
                "outcome": outcome,
                "reported": None if found is None else {"kind": found.kind, "about": found.about},
            }
        )
    scores = {k: Scores(c["tp"], c["fp"], c["fn"], c["tn"]) for k, c in counts.items()}
    return scores, rows


# What stops two figures, from the first check to passing them all (the last check a
# pair of sides reaches is the one counted).
_MISMATCH_ORDER = [
    "same claimant",
    "a share or bare count",
    "unit",
    "people or places",
    "what is counted",
    "predicate",
    "agreeing values",
    "passes every check",
]


def obstacles(
    items: list[Item],
    articles: dict[str, Article],
    finder: ConflictFinder,
    claims_of: Callable[[Article], list[Located]],
) -> dict[str, Counter[str]]:
    """For the conflicting pairs, per kind, what stands in the finder's way, counted and
    never shown pair by pair (so that a test part keeps measuring): a side that no
    claim overlaps, and for figures the first check that stops the two sides' figures
    (`ConflictFinder.figure_mismatch`) or a side with no figure read inside a claim."""
    out: dict[str, Counter[str]] = {k: Counter() for k in KINDS}
    for item in (i for i in items if i.conflict):
        counts = out[item.kind]
        counts["pairs"] += 1
        sides = []
        for side in (item.a, item.b):
            aid = articles[side.article].id
            over = [
                loc
                for loc in claims_of(articles[side.article])
                if _covers(_claim_span(loc.claim), loc, aid, side)
            ]
            counts["sides"] += 1
            counts["sides no claim overlaps"] += not over
            if item.kind == "figures":
                sides.append(
                    [
                        c
                        for c in claim_figures(over)
                        if side.start <= c.loc.sentence.start + c.figure.start < side.end
                    ]
                )
        if item.kind != "figures":
            counts[_stance_obstacle(item, articles, finder, claims_of)] += 1
            continue
        if not all(sides):
            counts["figures: a side with no figure read in a claim"] += 1
            continue
        reasons = [
            "same claimant"
            if a.loc.key == b.loc.key
            else finder.figure_mismatch(a, b) or "passes every check"
            for a in sides[0]
            for b in sides[1]
        ]
        counts[f"figures: {max(reasons, key=_MISMATCH_ORDER.index)}"] += 1
    return out


def _stance_obstacle(
    item: Item,
    articles: dict[str, Article],
    finder: ConflictFinder,
    claims_of: Callable[[Article], list[Located]],
) -> str:
    """What stands between the claims over a stance or revision pair's sides: none over a
    side; one claimant saying both; no claim over either side answering any claim
    (the counter-claim not recognised); or one answering claims, none over the other
    side (the link not made)."""
    refs = dict.fromkeys((item.a.article, item.b.article))
    located = [loc for ref in refs for loc in claims_of(articles[ref])]
    located += stance.embedded_claims(located)
    over = [
        {
            k
            for k, loc in enumerate(located)
            if _covers(_claim_span(loc.claim), loc, articles[side.article].id, side)
        }
        for side in (item.a, item.b)
    ]
    if not all(over):
        return "stance: a side no claim overlaps"
    if {located[k].key for k in over[0]} == {located[k].key for k in over[1]}:
        return "stance: one claimant on both sides"
    links = stance.answered(located, finder.embed)
    if any((i in over[x] and set(found) & over[1 - x]) for i, found in links for x in (0, 1)):
        return "stance: a side's claim answers the other's"
    if not any(i in over[0] | over[1] for i, _ in links):
        return "stance: no claim over a side answers any"
    return "stance: a side's claim answers others, not the other side's"


def render(scores: dict[str, Scores], title: str) -> str:
    lines = [
        title,
        f"{'kind':<10} {'pairs':>5} {'non':>4} {'TP':>4} {'FP':>4} {'FN':>4} {'P':>6} {'R':>6}",
    ]
    total = Scores(0, 0, 0, 0)
    for kind, s in scores.items():
        total = Scores(total.tp + s.tp, total.fp + s.fp, total.fn + s.fn, total.tn + s.tn)
        lines.append(_row(kind, s))
    lines.append(_row("all", total))
    return "\n".join(lines)


def _row(kind: str, s: Scores) -> str:
    return (
        f"{kind:<10} {s.tp + s.fn:>5} {s.fp + s.tn:>4} {s.tp:>4} {s.fp:>4} {s.fn:>4} "
        f"{s.precision:>6.3f} {s.recall:>6.3f}"
    )


def conflicts_command(
    file: Annotated[Path, typer.Argument(help="The benchmark JSONL (eval/conflicts/pairs.jsonl).")],
    polnear: Annotated[
        Path | None, typer.Option(help="PolNeAR folder the items' articles are read from.")
    ] = None,
    split: Annotated[str, typer.Option(help="tune, test, holdout or all.")] = "test",
    extractor: Annotated[
        str, typer.Option(help="model (the learned tagger the indexer ships) or rules")
    ] = "model",
    out: Annotated[Path, typer.Option(help="Where to write the JSON results.")] = Path(
        "results/conflicts.json"
    ),
    why: Annotated[
        bool,
        typer.Option(
            "--why", help="Count what stands in the way of conflicting pairs, never pair by pair."
        ),
    ] = False,
) -> None:
    """Precision and recall of the conflict finder per kind, on labelled pairs."""
    from indexer.attribution.extract import EXTRACTORS

    if split not in (*SPLITS, "all"):
        raise typer.BadParameter("tune, test, holdout or all", param_hint="--split")
    if extractor not in EXTRACTORS:
        raise typer.BadParameter(" or ".join(EXTRACTORS), param_hint="--extractor")
    if polnear is None and (DEFAULT_POLNEAR / "metadata.tsv").exists():
        polnear = DEFAULT_POLNEAR
    try:
        items = [i for i in load_items(file) if split in ("all", i.split)]
        articles = load_articles(items, polnear)
    except ConflictSetError as e:
        raise typer.BadParameter(str(e), param_hint="FILE") from e
    finder = ConflictFinder(get_embedder(BUNDLED_MODEL))
    claims_of = claim_reader(extractor)
    scores, rows = evaluate(items, articles, finder, claims_of)
    title = f"{file} ({split}: {len(items)} items, {len(articles)} articles, {extractor} claims)"
    typer.echo(render(scores, title))
    if why:
        for kind, counts in obstacles(items, articles, finder, claims_of).items():
            typer.echo(f"{kind}: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
    out.parent.mkdir(parents=True, exist_ok=True)
    result = {
        "file": str(file),
        "split": split,
        "extractor": extractor,
        "scores": {k: s.as_dict() for k, s in scores.items()},
    }
    out.write_text(json.dumps({**result, "items": rows}, indent=2) + "\n", encoding="utf-8")
    typer.echo(f"results written to {out}")
