"""PolNeAR attributions turned into "Who said that <content>?" gold questions.

An attribution qualifies when its source is a named entity and its content has at least
six words. "Named" means spaCy's NER (the indexer's pipeline, run over the whole article
so entities get their context) finds a PERSON, ORG, GPE or NORP entity inside the source
span; pronouns ("he", "they") and descriptions ("a campaign aide") carry no entity and
are left out.

The expected claimant is the source as annotated and the named entity that heads it in
the parse, else the first one inside it: in "White House Press Secretary Josh Earnest",
"House Speaker Paul Ryan" or "Trump campaign spokesman Jason Miller" the first entity only
modifies the source ("White House", "House", "Trump"), and the source is the person. A
name the article spells out for an acronym, or the acronym it gives a name ("Alliance to
Reclaim Our Schools (AROS)"), is the same claimant.
"""

from __future__ import annotations

import random
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

import typer
from spacy.tokens import Doc, Span

from eval.gold import Evidence, GoldQuestion, write_gold
from eval.polnear import CharSpan, GoldAttribution, PolnearDoc
from indexer.split import parse

NAMED_LABELS = frozenset({"PERSON", "ORG", "GPE", "NORP"})
MIN_CONTENT_WORDS = 6
# The service refuses longer questions (ACCORDINGTO_MAX_QUESTION_CHARS defaults to 2000).
MAX_QUESTION_CHARS = 2000
_WORD = re.compile(r"\w+")
_EDGE = " \t\n\"'“”‘’,.;:"
# Indirect speech keeps its complementiser ("that the bill is a bad idea").
_LEADING_THAT = re.compile(r"^that\s+", re.IGNORECASE)
# An acronym defined in parentheses after the name it stands for.
_DEFINED = re.compile(r"\(([A-Z][A-Z&]{1,9})\)")
_MAX_NAME_WORDS = 8


@dataclass(frozen=True)
class Candidate:
    doc: PolnearDoc
    index: int  # the attribution's position in its annotation file
    source: str
    content: str
    name: str  # the named entity heading the source span, else the first inside it
    person: bool


def _text(article_text: str, spans: Sequence[CharSpan]) -> str:
    return " ".join(" ".join(article_text[s:e].split()) for s, e in spans).strip()


def candidates(docs: Sequence[PolnearDoc]) -> list[Candidate]:
    """Every attribution with a named source and a content of six or more words."""
    out: list[Candidate] = []
    for doc in docs:
        text = doc.article.text
        doc_parse: Doc | None = None
        entities: list[tuple[int, int, str]] = []
        seen: set[str] = set()
        for i, att in enumerate(doc.attributions):
            content = _LEADING_THAT.sub("", _text(text, att.content).strip(_EDGE))
            if not att.source or len(_WORD.findall(content)) < MIN_CONTENT_WORDS:
                continue
            if content in seen or len(question_for(content)) > MAX_QUESTION_CHARS:
                continue
            if doc_parse is None:  # parse lazily: articles without candidates cost nothing
                doc_parse = parse(text)
                entities = [(e.start_char, e.end_char, e.label_) for e in doc_parse.ents]
            names = named_entities(att, entities)
            if names:
                seen.add(content)
                head = head_entity(att, doc_parse)
                (s, e, label) = (
                    names[0] if head is None else (head.start_char, head.end_char, head.label_)
                )
                source = _text(text, att.source)
                out.append(Candidate(doc, i, source, content, text[s:e], label == "PERSON"))
    return out


def head_entity(att: GoldAttribution, doc: Doc) -> Span | None:
    """The PERSON/ORG/GPE/NORP entity holding the syntactic head of the source span (of
    its first part, when it is discontinuous): "Josh Earnest" in "White House Press
    Secretary Josh Earnest"; None when the head is no name ("a spokesman for Trump")."""
    start, end = att.source[0]
    span = doc.char_span(start, end, alignment_mode="contract")
    if span is None or not len(span):
        return None
    root = span.root
    return next(
        (e for e in doc.ents if e.label_ in NAMED_LABELS and e.start <= root.i < e.end), None
    )


def named_entities(
    att: GoldAttribution, entities: Sequence[tuple[int, int, str]]
) -> list[tuple[int, int, str]]:
    """The PERSON/ORG/GPE/NORP entities lying inside the attribution's source span."""
    return [
        (s, e, label)
        for s, e, label in entities
        if label in NAMED_LABELS and any(ss <= s and e <= se for ss, se in att.source)
    ]


def question_for(content: str) -> str:
    return f"Who said that {content}?"


def to_question(c: Candidate, split: str) -> GoldQuestion:
    """The gold question: the source as claimant (also accepted: the named entity heading
    it, else its first one, and a person's surname), the whole attribution (content through
    source) as evidence."""
    att = c.doc.attributions[c.index]
    spans = [*att.content, *att.source]
    # Answers name people by surname ("Clinton said") and drop the description around a
    # name ("Patrick McGinley, a law professor at ..."), so both are accepted.
    names = [c.source, c.name]
    if c.person:
        names.append(c.name.split()[-1])
    names += defined_as(c.name, c.doc.article.text)
    return GoldQuestion(
        id=f"polnear-{split}-{c.doc.article.id}-{c.index}",
        question=question_for(c.content),
        claimants=[list(dict.fromkeys(names))],
        evidence=[
            Evidence(
                article_id=c.doc.article.id,
                start=min(s for s, _ in spans),
                end=max(e for _, e in spans),
            )
        ],
        tags=["who-said", "polnear"],
    )


def defined_as(name: str, text: str) -> list[str]:
    """The other form the article defines for `name`: the words an acronym stands for, or
    the acronym given after the words ("Alliance to Reclaim Our Schools (AROS)")."""
    out: list[str] = []
    for m in _DEFINED.finditer(text):
        acronym = m.group(1)
        words = text[: m.start()].split()[-_MAX_NAME_WORDS:]
        for k in range(1, len(words) + 1):
            spelled = words[-k:]
            capitals = [w for w in spelled if w[:1].isupper()]
            if spelled[0][:1].isupper() and "".join(w[0] for w in capitals) == acronym:
                full = " ".join(spelled)
                if name == acronym:
                    out.append(full)
                elif name == full:
                    out.append(acronym)
                break
    return list(dict.fromkeys(out))


def sample_questions(
    docs: Sequence[PolnearDoc], split: str, n: int, seed: int = 0
) -> list[GoldQuestion]:
    """A seeded sample of `n` questions (all when fewer qualify), in corpus order."""
    pool = candidates(docs)
    picked = sorted(random.Random(seed).sample(range(len(pool)), min(n, len(pool))))
    return [to_question(pool[i], split) for i in picked]


def polnear_questions_command(
    data_dir: Annotated[Path, typer.Argument(help="PolNeAR folder (metadata.tsv, <split>/...)")],
    split: Annotated[str, typer.Option(help="train or dev")] = "dev",
    n: Annotated[int, typer.Option(help="questions to sample")] = 50,
    seed: Annotated[int, typer.Option(help="sampling seed")] = 0,
    out: Annotated[Path, typer.Option(help="gold JSONL to write")] = Path(
        "results/polnear_dev_questions.jsonl"
    ),
) -> None:
    """Write "Who said that ...?" gold questions sampled from a PolNeAR split."""
    from eval.polnear import PolnearFormatError, load_split

    try:
        docs = load_split(data_dir, split)
    except PolnearFormatError as exc:
        raise typer.BadParameter(str(exc), param_hint="DATA_DIR") from None
    questions = sample_questions(docs, split, n, seed)
    write_gold(out, questions)
    typer.echo(f"{len(questions)} questions from {len(docs)} articles written to {out}")
