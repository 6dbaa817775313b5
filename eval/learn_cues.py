"""Learn the attribution-cue lexicon from annotated news (PolNeAR train) for the extractor.

For each gold cue, the head token of its span (the one whose syntactic head lies outside
it: "did not mention" -> mention) gives a lemma and part of speech; the cue's child whose
words best cover the gold content gives the relation that carries content ("dobj",
"xcomp", or "prep:for" for multiword cues such as "called for", "referring to"). A lemma
is kept when it heads at least `k` gold cues and does so in at least a share `p` of all
its occurrences with that part of speech. `k` and `p` are chosen by cross-validation
within the split: learn on all folds but one, score extraction on the held-out fold.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

import typer
from spacy.tokens import Doc, DocBin, Token

from eval.claims_eval import PRF, score_article
from eval.polnear import GoldAttribution, PolnearDoc, PolnearFormatError, load_split
from indexer.claims import LearnedCues
from indexer.resolve import extract_claims
from indexer.split import load_pipeline, sentences

# Parts of speech a cue may be learned for; the extractor has a rule for each.
CUE_POS = ("VERB", "NOUN", "ADJ")
# Children that are the cue's own grammar, never its content.
NOT_CONTENT = frozenset(
    {"nsubj", "nsubjpass", "csubj", "aux", "auxpass", "neg", "punct", "det", "poss", "cc"}
)
PREP_DEPS = frozenset({"prep", "agent", "dative"})
SUBJECT_DEPS = frozenset({"nsubj", "nsubjpass"})
# A relation joins a lemma's entry when it carries at least this share of its contents.
MIN_RELATION_SHARE = 0.1
MIN_RELATION_COUNT = 3
# Copulas and light verbs whose predicate adjective or noun is the cue when the gold cue
# spans both ("is confident that", "is a critic of", "made the case that").
LIGHT_VERBS = frozenset({"be", "make", "take", "have", "give"})
PREDICATE_DEPS = frozenset({"acomp", "attr", "dobj", "oprd"})
GRID_K = (2, 3, 5, 8, 12)
GRID_P = (0.05, 0.1, 0.2, 0.3, 0.5)

CueKey = tuple[str, str]  # (part of speech, lemma)


@dataclass
class CueStats:
    """How often a lemma heads a gold cue, occurs at all, which relation held the content,
    and how often the lemma occurs with a child in each relation (its frames)."""

    gold: int = 0
    seen: int = 0
    content: Counter[str] = field(default_factory=Counter)
    frames: Counter[str] = field(default_factory=Counter)


def _pos(token: Token) -> str:
    # The extractor treats auxiliaries used as main verbs as verbs.
    return "VERB" if token.pos_ == "AUX" else token.pos_


def _chars(spans: Iterable[tuple[int, int]]) -> set[int]:
    return {i for start, end in spans for i in range(start, end)}


def cue_head(doc: Doc, cue: Sequence[tuple[int, int]]) -> Token | None:
    """The word of a cue span whose syntactic head is outside it, if it can be a cue."""
    chars = _chars(cue)
    inside = [t for t in doc if t.idx in chars]
    ids = {t.i for t in inside}
    heads = [t for t in inside if t.head.i not in ids or t.head.i == t.i]
    heads = [t for t in heads if _pos(t) in CUE_POS]
    if not heads:
        return None
    head = heads[0]
    if head.lemma_.lower() in LIGHT_VERBS and _pos(head) == "VERB":
        # "is critical of", "made the case that": the predicate word carries the cue.
        predicates = [
            c
            for c in head.children
            if c.i in ids and c.dep_ in PREDICATE_DEPS and c.pos_ in ("ADJ", "NOUN")
        ]
        if predicates:
            return predicates[0]
    return head


def content_relation(head: Token, content: Sequence[tuple[int, int]]) -> str | None:
    """The relation to the child of `head` covering most of the content (at least half)."""
    gold = _chars(content)
    best: tuple[int, str] | None = None
    for child in head.children:
        if child.dep_ in NOT_CONTENT:
            continue
        candidates = (
            [(f"prep:{child.lower_}", g) for g in child.children if g.dep_ in ("pobj", "pcomp")]
            if child.dep_ in PREP_DEPS
            else [(child.dep_, child)]
        )
        for relation, node in candidates:
            covered = len(gold & {i for t in node.subtree for i in range(t.idx, t.idx + len(t))})
            if best is None or covered > best[0]:
                best = (covered, relation)
    if best is None or 2 * best[0] < len(gold):
        return None
    return best[1]


def subject_in_content(head: Token, content: Sequence[tuple[int, int]]) -> str | None:
    """The cue's subject relation ("nsubj", "nsubjpass") when the subject is (mostly) in the
    content: "Trump's supporters seemed unperturbed", "the move was reported by MSNBC"."""
    gold = _chars(content)
    for child in head.children:
        if child.dep_ in SUBJECT_DEPS:
            words = {i for t in child.subtree for i in range(t.idx, t.idx + len(t))}
            if 2 * len(words & gold) > len(words):
                return str(child.dep_)
    return None


def count_cues(pairs: Iterable[tuple[Doc, Sequence[GoldAttribution]]]) -> dict[CueKey, CueStats]:
    """Gold-cue heads and all occurrences of their (part of speech, lemma)."""
    pairs = list(pairs)
    stats: dict[CueKey, CueStats] = {}
    for doc, gold in pairs:
        for attribution in gold:
            head = cue_head(doc, attribution.cue)
            if head is None:
                continue
            entry = stats.setdefault((_pos(head), head.lemma_.lower()), CueStats())
            entry.gold += 1
            relation = content_relation(head, attribution.content)
            if relation is not None:
                entry.content[relation] += 1
            subject = subject_in_content(head, attribution.content)
            if subject is not None:
                entry.content[subject] += 1
    for doc, _ in pairs:
        for token in doc:
            key = (_pos(token), token.lemma_.lower())
            if key in stats:
                stats[key].seen += 1
                stats[key].frames.update(relations(token))
    return stats


def relations(token: Token) -> set[str]:
    """The relations of the token's children, in the names `content_relation` gives."""
    found: set[str] = set()
    for child in token.children:
        if child.dep_ in SUBJECT_DEPS:
            found.add(str(child.dep_))
        elif child.dep_ in PREP_DEPS:
            found.add(f"prep:{child.lower_}")
        elif child.dep_ not in NOT_CONTENT:
            found.add(str(child.dep_))
    return found


def select(stats: dict[CueKey, CueStats], k: int, p: float) -> dict[str, Any]:
    """The lexicon as JSON data: lemmas with at least `k` gold cues and precision `p`, and
    frames (lemma with a relation: "see" + "ccomp") passing the same `k` and `p` where the
    lemma alone does not ("see" is rarely a cue, "sees that ..." usually is)."""
    cues: dict[str, dict[str, Any]] = {pos: {} for pos in CUE_POS}
    for (pos, lemma), entry in sorted(stats.items()):
        precision = entry.gold / entry.seen if entry.seen else 0.0
        frames = {
            r
            for r, n in entry.content.items()
            if n >= k and entry.frames[r] and n / entry.frames[r] >= p
        }
        whole = entry.gold >= k and precision >= p
        if not whole and not frames:
            continue
        shared = {
            r
            for r, n in entry.content.items()
            if n >= MIN_RELATION_COUNT and n >= MIN_RELATION_SHARE * entry.gold
        }
        cues[pos][lemma] = {
            "gold": entry.gold,
            "seen": entry.seen,
            "content": sorted(frames | shared) if whole else sorted(frames),
            "content_counts": dict(entry.content.most_common()),
        }
    return {"k": k, "p": p, "cues": cues}


def _score(docs: Sequence[tuple[PolnearDoc, Doc]], cues: LearnedCues) -> PRF:
    total = PRF(0, 0, 0)
    for gold, doc in docs:
        article = gold.article
        claims = extract_claims(doc, sentences(doc, article.id), article, cues=cues)
        total += score_article(claims, gold.attributions, article.text).strict
    return total


def cross_validate(
    docs: Sequence[tuple[PolnearDoc, Doc]],
    folds: int,
    grid_k: Sequence[int] = GRID_K,
    grid_p: Sequence[float] = GRID_P,
) -> list[dict[str, Any]]:
    """Content P/R/F1 on held-out folds for each (k, p); article i is in fold i % folds."""
    totals: dict[tuple[int, float], PRF] = {}
    for fold in range(folds):
        held = [d for i, d in enumerate(docs) if i % folds == fold]
        learn = [(doc, g.attributions) for i, (g, doc) in enumerate(docs) if i % folds != fold]
        stats = count_cues(learn)
        for k in grid_k:
            for p in grid_p:
                cues = LearnedCues.from_json(select(stats, k, p))
                totals[(k, p)] = totals.get((k, p), PRF(0, 0, 0)) + _score(held, cues)
    return [
        {"k": k, "p": p, **prf.as_dict()}
        for (k, p), prf in sorted(totals.items(), key=lambda kv: -kv[1].f1)
    ]


def parse_split(docs: Sequence[PolnearDoc], cache: Path | None) -> list[Doc]:
    """spaCy parses of the articles, read from / written to a DocBin `cache` if given."""
    nlp = load_pipeline()
    if cache is not None and cache.exists():
        parsed = list(DocBin().from_disk(cache).get_docs(nlp.vocab))
        if [d.text for d in parsed] == [d.article.text for d in docs]:
            return parsed
    parsed = list(nlp.pipe((d.article.text for d in docs), batch_size=16))
    if cache is not None:
        cache.parent.mkdir(parents=True, exist_ok=True)
        DocBin(docs=parsed).to_disk(cache)
    return parsed


def learn_cues_command(
    data_dir: Annotated[Path, typer.Argument(help="PolNeAR folder (metadata.tsv, <split>/...)")],
    split: Annotated[str, typer.Option(help="Compartment to learn from (never dev).")] = "train",
    out: Annotated[Path, typer.Option(help="Where to write the lexicon.")] = Path(
        "indexer/data/cues.json"
    ),
    folds: Annotated[int, typer.Option(help="Cross-validation folds for choosing k, p.")] = 3,
    limit: Annotated[int | None, typer.Option(help="Learn from the first N articles.")] = None,
    parsed: Annotated[
        Path | None, typer.Option(help="DocBin file caching the spaCy parses of the split.")
    ] = None,
) -> None:
    """Learn attribution cue words and their content relations from gold annotations."""
    try:
        gold = load_split(data_dir, split, limit)
    except PolnearFormatError as e:
        raise typer.BadParameter(str(e), param_hint="DATA_DIR") from e
    docs = list(zip(gold, parse_split(gold, parsed), strict=True))
    table = cross_validate(docs, folds)
    best = table[0]
    lexicon = select(count_cues((doc, g.attributions) for g, doc in docs), best["k"], best["p"])
    data = {
        "about": (
            f"Learned by `accordingto eval learn-cues` from {len(docs)} {split} articles; "
            f"k and p chosen by {folds}-fold cross-validation on {split} (content F1)."
        ),
        **lexicon,
        "cross_validation": table,
    }
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    kept = sum(len(v) for v in lexicon["cues"].values())
    typer.echo(
        f"k={best['k']} p={best['p']}: held-out F1 {best['f1']:.3f} "
        f"(P {best['precision']:.3f} R {best['recall']:.3f}); {kept} cue lemmas -> {out}"
    )
