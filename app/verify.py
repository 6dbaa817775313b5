"""Citation checks run on every answer before it reaches the user.

Every answer sentence that carries [n] markers is checked against the text it cites:
(a) each [n] is a citation that quotes its article exactly; (b) the cited text backs the
sentence: the sentence's numbers, names and dates are in it, and its content is close
(content-word overlap and embedding similarity); (c) a sentence that attributes ("X
said", "according to X") cites a claim whose claimant is X.

A citation that quotes several sentences (the LLM cites whole passages) is narrowed to
the sentences that back the answer. A citation keeps its number even when several answer
sentences use it (conflicts found before verification refer to those numbers): it is
narrowed to the sentences backing all of them, and is `supported` only if it backs
every one.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from itertools import pairwise
from typing import Literal

import numpy as np
import numpy.typing as npt

from app.claimants import may_name
from app.generate.base import Answer, Citation, Passage
from app.generate.extractive import ExtractiveGenerator
from app.generate.markers import compact, find_markers, renumber
from app.settings import Settings, get_settings
from app.text import POSSESSIVE, STOP, WORD, content_words, key, stem
from indexer.claims import TITLES
from indexer.embed import Embedder
from indexer.models import Claim, Sentence
from indexer.store import Store

UnsupportedAction = Literal["flag", "remove", "replace"]
Vector = npt.NDArray[np.float32]

# The verdict on content: weight * similarity + (1 - weight) * overlap >= threshold.
# Tuned on PolNeAR train pairs by `accordingto eval verifier` (eval/verifier_eval.py).
SIMILARITY_WEIGHT = 0.5
CONTENT_THRESHOLD = 0.63
# Narrowing a passage citation tries runs of up to this many of its sentences.
_MAX_RUN = 3


@dataclass(frozen=True)
class Support:
    """Whether cited text backs a sentence, the content score, and why not."""

    supported: bool
    score: float
    reasons: list[str]


@dataclass(frozen=True)
class Evidence:
    """What the checks found for one sentence against its cited texts, before the verdict."""

    missing: tuple[str, ...]  # failed hard checks (numbers, names, dates, claimant)
    similarity: float
    overlap: float

    def content(self, weight: float = SIMILARITY_WEIGHT) -> float:
        return weight * self.similarity + (1 - weight) * self.overlap

    def verdict(
        self, threshold: float = CONTENT_THRESHOLD, weight: float = SIMILARITY_WEIGHT
    ) -> Support:
        score = self.content(weight)
        reasons = list(self.missing)
        if score < threshold:
            reasons.append(f"says something else (content score {score:.2f} < {threshold:.2f})")
        return Support(not reasons, score, reasons)


def support(
    sentence: str,
    cited_texts: list[str],
    embedder: Embedder,
    claimants: list[str] | None = None,
) -> Support:
    """Whether `cited_texts` back `sentence`; `claimants` (of the cited claims) enable (c)."""
    vectors = embed_texts(embedder, [clean(sentence), *cited_texts])
    return evidence(sentence, cited_texts, vectors, claimants).verdict()


def embed_texts(embedder: Embedder, texts: Iterable[str]) -> dict[str, Vector]:
    """Each distinct text's embedding, in one batch."""
    unique = list(dict.fromkeys(texts))
    return dict(zip(unique, embedder.embed(unique), strict=True))


def evidence(
    sentence: str,
    cited_texts: Sequence[str],
    vectors: Mapping[str, Vector],
    claimants: Sequence[str] | None = None,
) -> Evidence:
    """Run the checks of `sentence` against `cited_texts`; `vectors` holds their embeddings."""
    text = clean(sentence)
    cited = " \n".join(cited_texts)
    pool = _Pool(cited, claimants or ())
    # The answer may name a claimant as the index resolved it, wherever that name came from.
    allowed = " \n".join([cited, *(claimants or ())])
    missing = [f"does not mention {n}" for n in _missing_numbers(text, allowed)] + [
        f"does not mention {d}" for d in _missing_dates(text, allowed)
    ]
    missing += [f"does not mention {name}" for name in _missing_names(text, pool)]
    if claimants:
        missing += [
            f"cites no claim by {who}"
            for who in attributions(text)
            if not any(may_name(who, c) for c in claimants)
        ]
    return Evidence(tuple(missing), _similarity(text, cited_texts, vectors), pool.overlap(text))


def _wordlist(words: str) -> list[str]:
    return words.split()


# ---- sentences and markers ------------------------------------------------------------

_MARKER = re.compile(r"\s*\[\s*\d{1,3}(?:\s*[-–,;]\s*\d{1,3})*\s*\]")
# A sentence ends at . ! ? (closing quotes or brackets may follow, then its markers), or at
# a line break; it must be followed by whitespace and a capital, a quote or a digit.
_END = re.compile(r"[.!?…]+[\"'”’)]*(?:\s*\[\s*\d[\d\s,;–-]*\])*(?=\s+[\"“‘(]?[A-Z0-9]|\s*$)|\n+")
_ABBREVIATIONS = frozenset(
    _wordlist(
        """mr mrs ms dr st jan feb mar apr jun jul aug sep sept oct nov dec gen col lt sgt gov
        sen rep no vs etc inc corp co jr sr u.s u.k u.n e.g i.e"""
    )
)


@dataclass(frozen=True)
class Piece:
    """One answer sentence at `text[start:end]` (trailing whitespace included)."""

    start: int
    end: int
    text: str

    @property
    def numbers(self) -> list[int]:
        """The citation numbers its markers carry, in order, each once."""
        return list(dict.fromkeys(n for m in find_markers(self.text) for n in m.numbers))


def split_sentences(text: str) -> list[Piece]:
    """The sentences of generated text, each keeping the [n] markers that follow it."""
    cuts = [0]
    for m in _END.finditer(text):
        word = re.search(r"([\w.]+)\.$", text[: m.start() + 1])
        if m.group().startswith(".") and word and _is_abbreviation(word.group(1)):
            continue
        end = m.end()
        while end < len(text) and text[end].isspace():
            end += 1
        cuts.append(end)
    cuts.append(len(text))
    bounds = sorted(set(cuts))
    return [Piece(a, b, text[a:b]) for a, b in pairwise(bounds)]


def _is_abbreviation(word: str) -> bool:
    return word.lower() in _ABBREVIATIONS or (len(word) == 1 and word.isupper())


def clean(sentence: str) -> str:
    """The sentence without its citation markers, whitespace collapsed."""
    return " ".join(_MARKER.sub("", sentence).split())


# ---- (b) numbers ----------------------------------------------------------------------

_UNITS = _wordlist(
    "one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen"
    " sixteen seventeen eighteen nineteen"
)
_TENS = _wordlist("twenty thirty forty fifty sixty seventy eighty ninety")
_WORD_VALUES = {w: i + 1 for i, w in enumerate(_UNITS)} | {
    w: 10 * (i + 2) for i, w in enumerate(_TENS)
}
_DENOMINATORS = {"half": 2, "halves": 2, "third": 3, "thirds": 3, "quarter": 4, "quarters": 4}
_DENOMINATORS |= {"fourth": 4, "fourths": 4, "fifth": 5, "fifths": 5}
_SCALES = {"hundred": 1e2, "thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12}
_W = "|".join(sorted(_WORD_VALUES, key=len, reverse=True))
_D = "|".join(_DENOMINATORS)
_S = "|".join(_SCALES)
_NUMBER = re.compile(
    rf"\b(?P<fn>{_W}|a)[\s-](?P<fd>{_D})\b"
    r"|(?<![\w.,/])(?P<dn>\d+)\s*/\s*(?P<dd>\d+)(?![\w/])"
    r"|(?<![\w.,])(?P<digits>\d{1,3}(?:(?:,|\s)\d{3})+(?![\d])|\d+(?:\.\d+)?)"
    rf"(?:\s*(?:%|percent\b|per cent\b))?(?:\s+(?P<dscale>{_S})\b)?"
    rf"|\b(?P<word>{_W})(?:-(?P<unit>{_W}))?(?:\s+(?P<wscale>{_S}))?\b",
    re.IGNORECASE,
)


def numbers(text: str) -> dict[float, str]:
    """The figures in `text` by value ("4,000", "4 000" and "4000" are one), as worded.

    A bare "one" is left out: it is mostly not a figure ("one of them").
    """
    out: dict[float, str] = {}
    for m in _NUMBER.finditer(text):
        value = _value(m)
        if value is not None:
            out.setdefault(round(value, 4), m.group().strip())
    return out


def _value(m: re.Match[str]) -> float | None:
    if m.group("fd"):
        numerator = 1 if m.group("fn").lower() == "a" else _WORD_VALUES[m.group("fn").lower()]
        return numerator / _DENOMINATORS[m.group("fd").lower()]
    if m.group("dd"):
        return int(m.group("dn")) / int(m.group("dd")) if int(m.group("dd")) else None
    if m.group("digits"):
        scale = _SCALES[m.group("dscale").lower()] if m.group("dscale") else 1.0
        return float(re.sub(r"[,\s]", "", m.group("digits"))) * scale
    word = m.group("word").lower()
    if word == "one" and not m.group("wscale"):
        return None
    value = _WORD_VALUES[word] + (_WORD_VALUES[m.group("unit").lower()] if m.group("unit") else 0)
    return value * (_SCALES[m.group("wscale").lower()] if m.group("wscale") else 1.0)


def _missing_numbers(sentence: str, cited: str) -> list[str]:
    have = numbers(cited)
    return [
        worded
        for value, worded in numbers(sentence).items()
        if not any(abs(value - v) <= 1e-3 * max(1.0, abs(v)) for v in have)
    ]


# ---- (b) dates ------------------------------------------------------------------------

_MONTH = re.compile(
    r"\b(?:January|February|March|April|June|July|August|September|October|November|December"
    r"|(?:Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec)\b\.?"
    # "May" the month, not the verb: before a day, or after "in", "of", "since"...
    r"|May(?=\s+\d)|(?:(?<=in )|(?<=of )|(?<=since )|(?<=until )|(?<=early ))May\b)"
    r"|\b(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day\b"
)


def _dates(text: str) -> dict[str, str]:
    """Months and weekdays named in `text`, by a key ("feb", "thu"), as worded."""
    return {m.group()[:3].lower(): m.group().rstrip(".") for m in _MONTH.finditer(text)}


def _missing_dates(sentence: str, cited: str) -> list[str]:
    have = _dates(cited)
    return [worded for key, worded in _dates(sentence).items() if key not in have]


# ---- (b) names and content words ------------------------------------------------------

# Words that join a name without being part of its initials ("Institute for the Study of War").
_NAME_GLUE = frozenset({"of", "for", "the", "de", "al"})
# Words that are not names even when capitalised, and words an answer adds around what it
# cites ("the sources disagree", "according to"), which the cited text need not contain.
_NOT_NAMES = (
    frozenset(TITLES)
    | {"according", "i"}
    | frozenset(
        _wordlist(
            """january february march april may june july august september october november
            december jan feb mar apr jun jul aug sep sept oct nov dec monday tuesday
            wednesday thursday friday saturday sunday"""
        )
    )
)
_GLUE = frozenset(
    _wordlist(
        """according said says say told claim claims claimed report reports reported source
        sources disagree disagrees article articles passage passages"""
    )
)
# How a demonym or adjective ends where its place name ends in a vowel ("Ukraine" ->
# "Ukrainian", "Korea" -> "Korean", "China" -> "Chinese", "Israel" -> "Israeli").
_DEMONYM_ENDINGS = ("n", "an", "ian", "ean", "ese", "i", "ish")
_CUES = (
    # Forms that are also common nouns ("reports", "claims", "states") are left out.
    "said|says|told|tells|claimed|stated|reported|estimated"
    "|denied|denies|noted|added|adds|confirmed|confirms|warned|warns|assessed|assesses"
    "|announced|announces|insisted|insists|argued|argues|wrote|writes|believes|believed"
    "|alleged|alleges|acknowledged|admitted|suggested|suggests|explained|explains"
)
_CUE = re.compile(rf"^(?:{_CUES})$", re.IGNORECASE)


_STOP = STOP | _GLUE


def _content_words(text: str) -> list[str]:
    return content_words(text, _STOP)


def _runs(text: str) -> list[list[str]]:
    """Runs of capitalised words (names), glue words such as "of" allowed inside.

    A sentence's first word is capitalised anyway; it counts as a name only when it looks
    like one: followed by another capitalised word, a possessive, or a reporting verb.
    """
    words = WORD.findall(text)
    runs: list[list[str]] = []
    run: list[str] = []
    for i, word in enumerate(words):
        following = words[i + 1] if i + 1 < len(words) else ""
        # "If", "But", "One" open a quoted sentence; acronyms ("US") are names all the same.
        capital = (
            word[0].isupper()
            and key(word) not in _NOT_NAMES
            and (key(word) not in _STOP or word.isupper())
        )
        if capital and i == 0:
            capital = (
                following[:1].isupper()
                or bool(POSSESSIVE.search(word))
                or bool(_CUE.match(following))
            )
        if capital:
            run.append(word)
        elif not (run and word in _NAME_GLUE):
            if run:
                runs.append(run)
            run = []
    return [*runs, run] if run else runs


def _initials(run: list[str]) -> str:
    return "".join(w[0] for w in run).upper()


class _Pool:
    """The words of cited texts and claimant names that an answer sentence may use."""

    def __init__(self, cited: str, claimants: Iterable[str]) -> None:
        text = " \n".join([cited, *claimants])
        self.keys = {key(w) for w in WORD.findall(text)}
        self.stems = {stem(k) for k in self.keys}
        self.acronyms = {w for w in WORD.findall(text) if len(w) > 1 and w.isupper()}
        self.acronyms |= {_initials(r) for r in _runs(text) if len(r) > 1}

    def has_name(self, word: str) -> bool:
        k = key(word)
        if k in self.keys or (word.isupper() and k.upper() in self.acronyms):
            return True
        return any(_same_place(k, have) for have in self.keys if have[:3] == k[:3])

    def overlap(self, text: str) -> float:
        """The share of the text's content words (by stem) found here; 1.0 with none."""
        words = _content_words(text)
        return sum(stem(w) in self.stems for w in words) / len(words) if words else 1.0


def _same_place(a: str, b: str) -> bool:
    """A place and its demonym: "ukraine" ~ "ukrainian", "korea" ~ "korean"."""
    short, long = sorted((a, b), key=len)
    base = short.rstrip("aeiouy")
    return len(base) >= 4 and long.startswith(base) and long[len(base) :] in _DEMONYM_ENDINGS


def _missing_names(sentence: str, pool: _Pool) -> list[str]:
    missing: list[str] = []
    for run in _runs(sentence):
        # "National Intelligence Service" when the cited text says "NIS".
        if len(run) > 1 and _initials(run) in pool.acronyms:
            continue
        missing += [w for w in run if not pool.has_name(w) and w not in missing]
    return missing


# ---- (c) attribution ------------------------------------------------------------------

_ATTRIBUTION = re.compile(
    r"\b(?:according to|as per)\s+(?P<after>[^,;:.“\"]+)"
    rf"|(?P<before>[^,;:“\"]+?)\s+(?:has\s+|have\s+|had\s+|also\s+)?(?:{_CUES})\b",
    re.IGNORECASE,
)
# A cue after these has no subject of its own: "is being assessed", "located her and told".
_NO_SUBJECT = frozenset({"is", "are", "was", "were", "be", "been", "being", "and", "but", "or"})
_CLAUSE_START = re.compile(r".*\b(?:that|who|which|while|and|but)\s+", re.IGNORECASE)


def attributions(sentence: str) -> list[str]:
    """Who the sentence says said something: "X said ...", "according to X, ..."."""
    found = []
    for m in _ATTRIBUTION.finditer(sentence):
        who = m.group("after") or _CLAUSE_START.sub("", m.group("before"))
        words = who.split()
        if words and len(words) <= 8 and words[-1].lower() not in _NO_SUBJECT:
            found.append(who.strip())
    return found


# ---- (b) embedding similarity ---------------------------------------------------------


def _similarity(sentence: str, cited: Sequence[str], vectors: Mapping[str, Vector]) -> float:
    """Cosine with the closest cited text, or with all of them together if that is closer."""
    if not cited:
        return 0.0
    s = vectors[sentence]
    rows = np.stack([vectors[t] for t in cited])
    together = rows.sum(axis=0)
    norm = float(np.linalg.norm(together))
    best = float((rows @ s).max())
    return max(best, float(together @ s) / norm if norm else 0.0)


# ---- verifying an answer --------------------------------------------------------------


def verify_answer(
    answer: Answer,
    passages: list[Passage],
    store: Store,
    embedder: Embedder,
    settings: Settings | None = None,
    question: str = "",
) -> Answer:
    """Check every cited sentence of `answer`; flag, remove or replace the unsupported."""
    settings = settings or get_settings()
    checked, unsupported = _check(answer, store, embedder)
    if not unsupported or settings.unsupported_action == "flag":
        return checked
    if settings.unsupported_action == "remove":
        kept = "".join(p.text for p in split_sentences(checked.text) if p not in unsupported)
        trimmed, _ = _renumbered(replace(checked, text=kept.rstrip()))
        if trimmed.citations:
            # A citation a removed sentence shared is judged again on the sentences left.
            fresh = [replace(c, supported=True) for c in trimmed.citations]
            removed, _ = _check(replace(trimmed, citations=fresh, warnings=[]), store, embedder)
            note = f"{_count(unsupported)} removed from the answer."
            return replace(removed, warnings=[*checked.warnings, *removed.warnings, note])
    if answer.generator == ExtractiveGenerator.name:
        return checked
    extractive = ExtractiveGenerator(
        embedder, settings.min_answer_similarity, settings.max_answer_sentences
    ).generate(question or clean(answer.text), passages)
    fallback, _ = _check(extractive, store, embedder)
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


def _check(answer: Answer, store: Store, embedder: Embedder) -> tuple[Answer, list[Piece]]:
    """The answer with every citation checked and narrowed, and its unsupported sentences."""
    answer, dropped = _renumbered(check_offsets(answer, store))
    warnings = list(answer.warnings)
    if dropped:
        warnings.append(
            f"[{compact(dropped)}] cited nothing the answer was given; "
            f"the marker{'s were' if len(dropped) > 1 else ' was'} removed."
        )
    pieces = [p for p in split_sentences(answer.text) if p.numbers]
    articles: dict[str, list[Sentence]] = {}
    for c in answer.citations:
        if c.article.id not in articles:
            articles[c.article.id] = store.sentences(c.article.id)
    candidates = {
        c.n: _candidates(c, articles[c.article.id], store) for c in answer.citations if c.supported
    }
    vectors = embed_texts(
        embedder,
        [clean(p.text) for p in pieces]
        + [t for options in candidates.values() for o in options for t in o.texts],
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
        ).verdict()
        reasons = verdict.reasons if cited else ["its text does not match its article"]
        for n in piece.numbers:
            backs[n] = backs.get(n, True) and verdict.supported and bool(cited)
        if reasons:
            unsupported.append(piece)
            markers = "".join(f"[{n}]" for n in piece.numbers)
            because = "; ".join(f"{markers} {r}" for r in reasons)
            warnings.append(f'Unsupported sentence "{_short(clean(piece.text))}": {because}.')
    citations = [_narrowed(c, chosen.get(c.n, []), backs.get(c.n, True)) for c in answer.citations]
    claims = [
        u
        for u in answer.claims
        if _inside(u.claim, next(c for c in citations if c.n == u.citation))
    ]
    return replace(answer, citations=citations, claims=claims, warnings=warnings), unsupported


def _short(text: str, limit: int = 120) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _candidates(citation: Citation, sentences: list[Sentence], store: Store) -> list[_Candidate]:
    """The citation itself, and runs of up to _MAX_RUN of the sentences it quotes."""
    inside = [s for s in sentences if citation.start <= s.start and s.end <= citation.end]
    # A span that does not follow sentence bounds carries the claims of what it overlaps.
    touched = [s.idx for s in sentences if s.start < citation.end and citation.start < s.end]
    claims = (
        store.claims(article_id=citation.article.id, sentence_range=(touched[0], touched[-1]))
        if touched
        else []
    )
    whole = _Candidate(
        citation.start,
        citation.end,
        tuple(s.text for s in inside) if len(inside) > 1 else (citation.quote,),
        claimant_names(claims),
    )
    if len(inside) < 2:
        return [whole]
    runs = [
        _run(inside[i : i + size], claims)
        for size in range(1, min(_MAX_RUN, len(inside) - 1) + 1)
        for i in range(len(inside) - size + 1)
    ]
    return [*runs, whole]


def _run(sentences: list[Sentence], claims: list[Claim]) -> _Candidate:
    first, last = sentences[0].idx, sentences[-1].idx
    return _Candidate(
        sentences[0].start,
        sentences[-1].end,
        tuple(s.text for s in sentences),
        claimant_names([c for c in claims if first <= c.sentence_idx <= last]),
    )


def claimant_names(claims: list[Claim]) -> tuple[str, ...]:
    """Every name a claim's speaker goes by: resolved name, words used, relaying outlets."""
    names: list[str] = []
    for c in claims:
        names += [c.claimant, *c.reported_by]
        if c.claimant_mention is not None:
            names.append(c.claimant_mention.text)
    return tuple(dict.fromkeys(n for n in names if n))


def _narrow(sentence: str, options: list[_Candidate], vectors: Mapping[str, Vector]) -> _Candidate:
    """The candidate that backs the sentence with the fewest sentences, else the closest."""

    def rank(option: _Candidate) -> tuple[bool, float, float]:
        verdict = evidence(sentence, option.texts, vectors, option.claimants).verdict()
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
