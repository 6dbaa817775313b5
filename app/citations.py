"""Citation checks run on every answer before it reaches the user.

Every answer sentence is checked: (a) each [n] is a citation that quotes its article
exactly; then the checks of app/verify.py against the text it cites. A sentence without
a citation is given one when a passage the answer had backs it, and is unsupported
otherwise. Passage text is data: "[n]" inside text the answer quotes from an article is
not a citation.

A citation that quotes several sentences (the LLM cites whole passages) is narrowed to
the sentences that back the answer. A citation keeps its number even when several answer
sentences use it (conflicts found before verification refer to those numbers): it is
narrowed to the sentences backing all of them, and is `supported` only if it backs
every one.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from app.generate.base import Answer, Citation, ClaimUse, Passage
from app.generate.extractive import ExtractiveGenerator
from app.generate.markers import compact, defuse, find_markers, renumber
from app.generate.reporting import article_context
from app.settings import Settings, get_settings
from app.verify import (
    Piece,
    Vector,
    answer_vectors,
    claimant_names,
    clean,
    embed_texts,
    evidence,
    form_problems,
    split_sentences,
)
from indexer.embed import TextEncoder
from indexer.models import Claim, Sentence
from indexer.store import Store

# Narrowing a passage citation tries runs of up to this many of its sentences.
_MAX_RUN = 3
# How many sentences away the attribution of a quotation holding a cited sentence may be.
_QUOTED_FROM = 3


def verify_answer(
    answer: Answer,
    passages: list[Passage],
    store: Store,
    embedder: TextEncoder,
    settings: Settings | None = None,
    question: str = "",
) -> Answer:
    """Check every cited sentence of `answer`; flag, remove or replace the unsupported."""
    settings = settings or get_settings()
    checked, unsupported = _check(answer, passages, store, embedder)
    if not unsupported or settings.unsupported_action == "flag":
        return checked
    if settings.unsupported_action == "remove":
        kept = "".join(p.text for p in split_sentences(checked.text) if p not in unsupported)
        trimmed, _ = _renumbered(replace(checked, text=kept.rstrip()))
        if trimmed.citations:
            # A citation a removed sentence shared is judged again on the sentences left.
            fresh = [replace(c, supported=True) for c in trimmed.citations]
            again = replace(trimmed, citations=fresh, warnings=[])
            removed, _ = _check(again, passages, store, embedder)
            note = f"{_count(unsupported)} removed from the answer."
            return replace(removed, warnings=[*checked.warnings, *removed.warnings, note])
    if answer.generator == ExtractiveGenerator.name:
        return checked
    extractive = ExtractiveGenerator(
        embedder, settings.min_answer_similarity, settings.max_answer_sentences
    ).generate(question or clean(answer.text), passages)
    fallback, _ = _check(extractive, passages, store, embedder)
    note = f"{_count(unsupported)} in the generated answer; the extractive answer is shown instead."
    return replace(fallback, warnings=[*checked.warnings, note, *fallback.warnings])


def _count(pieces: Sequence[Piece]) -> str:
    return f"{len(pieces)} unsupported sentence{'s were' if len(pieces) > 1 else ' was'}"


def check_offsets(answer: Answer, store: Store) -> Answer:
    """Every citation must exist and quote exactly `article.text[start:end]`."""
    checked = []
    warnings = list(answer.warnings)
    texts: dict[str, str | None] = {}
    for c in answer.citations:
        if c.article.id not in texts:
            article = store.article(c.article.id)
            texts[c.article.id] = article.text if article else None
        text = texts[c.article.id]
        ok = (
            text is not None
            and 0 <= c.start < c.end <= len(text)
            and text[c.start : c.end] == c.quote
        )
        if not ok:
            warnings.append(
                f"Citation [{c.n}] does not match the text of article {c.article.id} at "
                f"{c.start}-{c.end}; it is marked unsupported."
            )
        checked.append(replace(c, supported=c.supported and ok))
    return replace(answer, citations=checked, warnings=warnings)


def _renumbered(answer: Answer) -> tuple[Answer, tuple[int, ...]]:
    """Markers numbered 1..k by first appearance, those citing nothing removed (returned)."""
    by_n = {c.n: c for c in answer.citations}
    result = renumber(answer.text, by_n)
    new = {old: n for n, old in enumerate(result.order, start=1)}
    citations = [replace(by_n[old], n=n) for old, n in new.items()]
    claims = [replace(u, citation=new[u.citation]) for u in answer.claims if u.citation in new]
    return replace(answer, text=result.text, citations=citations, claims=claims), result.dropped


@dataclass(frozen=True)
class _Candidate:
    """A span of a citation's article the citation may be narrowed to."""

    start: int
    end: int
    texts: tuple[str, ...]  # its sentences
    claimants: tuple[str, ...]
    context: tuple[str, ...]  # the article's outlet and date


def _check(
    answer: Answer, passages: list[Passage], store: Store, embedder: TextEncoder
) -> tuple[Answer, list[Piece]]:
    """The answer with every citation checked and narrowed, a citation added to every
    uncited sentence a passage backs, and its unsupported sentences."""
    answer, dropped = _renumbered(check_offsets(_quoted_as_data(answer), store))
    warnings = list(answer.warnings)
    if dropped:
        warnings.append(
            f"[{compact(dropped)}] cited nothing the answer was given; "
            f"the marker{'s were' if len(dropped) > 1 else ' was'} removed."
        )
    # The extractive generator's only uncited sentence says that nothing was found.
    every = answer.generator != ExtractiveGenerator.name
    if every:
        answer, _ = _renumbered(_cite_uncited(answer, passages, store, embedder))
    pieces = [p for p in split_sentences(answer.text) if p.numbers or (every and clean(p.text))]
    articles: dict[str, list[Sentence]] = {}
    for c in answer.citations:
        if c.article.id not in articles:
            articles[c.article.id] = store.sentences(c.article.id)
    candidates = {
        c.n: _candidates(c, articles[c.article.id], store) for c in answer.citations if c.supported
    }
    vectors = answer_vectors(
        embedder,
        [_cites(p, candidates) for p in pieces],
        [t for options in candidates.values() for o in options for t in o.texts],
    )
    chosen: dict[int, list[_Candidate]] = {n: [] for n in candidates}
    backs: dict[int, bool] = {}
    unsupported: list[Piece] = []
    for piece in pieces:
        cited = [n for n in piece.numbers if n in candidates]
        picks = [_narrow(piece.text, candidates[n], vectors) for n in cited]
        for n, pick in zip(cited, picks, strict=True):
            chosen[n].append(pick)
        verdict = evidence(
            piece.text,
            [t for p in picks for t in p.texts],
            vectors,
            [name for p in picks for name in p.claimants],
            [c for p in picks for c in p.context],
        ).verdict()
        if not piece.numbers:
            reasons = [*form_problems(clean(piece.text), []), _UNCITED]
        elif not cited:
            reasons = ["its text does not match its article"]
        else:
            reasons = verdict.reasons
        for n in piece.numbers:
            backs[n] = backs.get(n, True) and verdict.supported and bool(cited)
        if reasons:
            unsupported.append(piece)
            markers = "".join(f"[{n}] " for n in piece.numbers)
            because = "; ".join(f"{markers}{r}" for r in reasons)
            warnings.append(f'Unsupported sentence "{_short(clean(piece.text))}": {because}.')
    citations = [_narrowed(c, chosen.get(c.n, []), backs.get(c.n, True)) for c in answer.citations]
    claims = [
        u
        for u in answer.claims
        if _inside(u.claim, next(c for c in citations if c.n == u.citation))
    ]
    return replace(answer, citations=citations, claims=claims, warnings=warnings), unsupported


def _cites(
    piece: Piece, candidates: Mapping[int, list[_Candidate]]
) -> tuple[str, list[str], list[str]]:
    """An answer sentence, the texts it may be narrowed to and the names they give."""
    options = [o for n in piece.numbers for o in candidates.get(n, [])]
    named = [name for o in options for name in (*o.claimants, *o.context)]
    return clean(piece.text), [t for o in options for t in o.texts], named


def _quoted_as_data(answer: Answer) -> Answer:
    """The answer with "[n]" inside text it quotes from an article written "(n)": the
    article's brackets are not the answer's citations (an extractive answer quotes whole
    sentences)."""
    text = answer.text
    for quote in dict.fromkeys(c.quote for c in answer.citations if find_markers(c.quote)):
        text = text.replace(quote, defuse(quote))
    return replace(answer, text=text) if text != answer.text else answer


_UNCITED = "it cites no passage, and no passage the answer was given backs it"


def _cite_uncited(
    answer: Answer, passages: list[Passage], store: Store, embedder: TextEncoder
) -> Answer:
    """The answer with a marker after each uncited sentence that a passage backs, citing
    that passage (an existing citation when one already quotes what backs it)."""
    pieces = [p for p in split_sentences(answer.text) if not p.numbers and clean(p.text)]
    if not pieces or not passages:
        return answer
    sentences: dict[str, list[Sentence]] = {}
    options: list[tuple[Passage, list[_Candidate]]] = []
    for passage in passages:
        if passage.article.id not in sentences:
            sentences[passage.article.id] = store.sentences(passage.article.id)
        whole = _passage_citation(passage, 0)
        options.append((passage, _candidates(whole, sentences[passage.article.id], store)))
    vectors = embed_texts(
        embedder,
        [clean(p.text) for p in pieces] + [t for _, opts in options for o in opts for t in o.texts],
    )
    citations, claims = list(answer.citations), list(answer.claims)
    text, shift = answer.text, 0
    for piece in pieces:
        backing: list[tuple[float, Passage, _Candidate]] = []
        for passage, opts in options:
            pick = _narrow(piece.text, opts, vectors)
            verdict = evidence(
                piece.text, pick.texts, vectors, pick.claimants, pick.context
            ).verdict()
            if verdict.supported:
                backing.append((verdict.score, passage, pick))
        if not backing:
            continue
        _, passage, pick = max(backing, key=lambda b: b[0])
        n = next(
            (
                c.n
                for c in citations
                if c.supported
                and c.article.id == passage.article.id
                and c.start <= pick.start
                and pick.end <= c.end
            ),
            None,
        )
        if n is None:
            n = max((c.n for c in citations), default=0) + 1
            citations.append(_passage_citation(passage, n))
            claims += [ClaimUse(claim, n) for claim in passage.claims]
        end = shift + piece.start + len(piece.text.rstrip())
        marker = f" [{n}]"
        text, shift = text[:end] + marker + text[end:], shift + len(marker)
    return replace(answer, text=text, citations=citations, claims=claims)


def _passage_citation(passage: Passage, n: int) -> Citation:
    chunk = passage.chunk
    return Citation(n, passage.article, chunk.start, chunk.end, chunk.text)


def _short(text: str, limit: int = 120) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _candidates(citation: Citation, sentences: list[Sentence], store: Store) -> list[_Candidate]:
    """The citation itself, and runs of up to _MAX_RUN of the sentences it quotes."""
    inside = [s for s in sentences if citation.start <= s.start and s.end <= citation.end]
    # A span that does not follow sentence bounds carries the claims of what it overlaps,
    # and so does a sentence inside a quotation attributed a few sentences on.
    touched = [s.idx for s in sentences if s.start < citation.end and citation.start < s.end]
    claims = (
        [
            c
            for c in store.claims(
                article_id=citation.article.id,
                sentence_range=(touched[0] - _QUOTED_FROM, touched[-1] + _QUOTED_FROM),
            )
            if touched[0] <= c.sentence_idx <= touched[-1] or _inside(c, citation)
        ]
        if touched
        else []
    )
    context = article_context(citation.article.outlet, citation.article.published)
    whole = _Candidate(
        citation.start,
        citation.end,
        tuple(s.text for s in inside) if len(inside) > 1 else (citation.quote,),
        claimant_names(claims),
        context,
    )
    if len(inside) < 2:
        return [whole]
    runs = [
        _run(inside[i : i + size], claims, context)
        for size in range(1, min(_MAX_RUN, len(inside) - 1) + 1)
        for i in range(len(inside) - size + 1)
    ]
    return [*runs, whole]


def _run(sentences: list[Sentence], claims: list[Claim], context: tuple[str, ...]) -> _Candidate:
    first, last = sentences[0].idx, sentences[-1].idx
    return _Candidate(
        sentences[0].start,
        sentences[-1].end,
        tuple(s.text for s in sentences),
        claimant_names(
            [
                c
                for c in claims
                if first <= c.sentence_idx <= last
                or (c.content.start < sentences[-1].end and sentences[0].start < c.content.end)
            ]
        ),
        context,
    )


def _narrow(sentence: str, options: list[_Candidate], vectors: Mapping[str, Vector]) -> _Candidate:
    """The candidate that backs the sentence with the fewest sentences, else the closest."""

    def rank(option: _Candidate) -> tuple[bool, float, float]:
        verdict = evidence(
            sentence, option.texts, vectors, option.claimants, option.context
        ).verdict()
        if verdict.supported:
            return True, -len(option.texts), verdict.score
        return False, verdict.score, -len(option.texts)

    return max(options, key=rank)


def _narrowed(citation: Citation, picks: list[_Candidate], supported: bool) -> Citation:
    """The citation cut down to the span covering what its sentences needed."""
    if not picks or not citation.supported:
        return replace(citation, supported=citation.supported and supported)
    start = min(p.start for p in picks)
    end = max(p.end for p in picks)
    offset = start - citation.start
    quote = citation.quote[offset : offset + end - start]
    return replace(citation, start=start, end=end, quote=quote, supported=supported)


def _inside(claim: Claim, citation: Citation) -> bool:
    return claim.content.start < citation.end and citation.start < claim.content.end
