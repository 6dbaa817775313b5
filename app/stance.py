"""Stances: claims that answer other claims, and the claims they answer.

A counter-claim is a claim whose cue denies, disputes, dismisses or rejects (the
extractor's `denial` kind); or one with a clause close in meaning to what a rebuttal
says whatever its topic ("this report is totally wrong", "she made it up"); or one
with a negated clause about something already said ("I never said that", "that was
not her view"), read from the parse. It answers:
- when it names no content of its own ("rejected that argument", "dismissed Saudi
  concerns"), a claim of the sentences just before it by another claimant: the one
  closest in meaning to the counter-claim's sentence, the nearer the better, first
  those whose claimant it names ("rejected Trump's offer") or whose cue its words echo
  ("rejected that argument" after "arguing that ..."); with the other claims that
  claimant made there;
- otherwise, claims by other claimants saying the same thing: close in meaning and
  sharing a content word of the predicate.
Any other claim contradicts the claim just before it by another claimant on the same
thing (close in meaning, sharing a content word of the predicate) when its cue responds
("shot back", "countered") or its content has the opposite polarity ("are still under
his control" after "is no longer a billionaire").

Denials the extractor leaves inside another claim ("..., a point that officials have
disputed") are read from the parse as claims of their own (`embedded_denials`), and so
are statements reported inside a noun phrase ("rejected the rebels' claim that ...":
the rebels' claim, `embedded_statements`); a claimant's quotes after its counter-claim
that sound like a rebuttal too answer the same claims, until another claimant speaks.

Revisions: a claim whose lead-in, without the claimant's own words, takes back or
narrows ("later clarified", "revised his plans, saying"), with the claimant's earlier
claim in the article closest in meaning, the nearer the better.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt
from spacy.attrs import DEP, POS
from spacy.symbols import NOUN, VERB, neg
from spacy.tokens import Doc, Token
from spacy.tokens import Span as SpacySpan
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from app import facts
from app.claimants import same_name
from app.text import stem
from indexer.claims import DENYING
from indexer.models import Claim, Span
from indexer.span_vectors import clauses, lead_in, nouns, without_claimant

if TYPE_CHECKING:
    from app.conflicts import Located

Vector = npt.NDArray[np.float32]
Embed = Callable[[list[str]], list[Vector]]

# Similarity of a denied content and a reported one, above which they may be the same claim.
_STANCE_SIMILARITY = 0.5
# What a rebuttal says, whatever its topic: a clause this close to one of these answers
# another claim. General forms of "that is not so", not words of any one story.
_COUNTER_PROTOTYPES = (
    "that is false",
    "this is not true",
    "that is totally wrong",
    "it is a lie",
    "it is propaganda",
    "it is inaccurate and baseless",
    "it is misleading and distorted",
    "they made it up",
    "she made up the story",
    "he lied about it",
    "that claim is unfounded",
    "the allegations are not backed by any evidence",
    "the numbers are incorrect",
)
_COUNTER_SIMILARITY = 0.5
# A counter-claim with this few content words names no content of its own ("denied the
# charge", "dismissed the toll"): it answers a claim just before it.
_ANAPHORIC_WORDS = 3
_ANAPHORIC_REACH = 4  # sentences back
_RECENCY = 0.1  # similarity a candidate loses for each sentence back
_REBUTTAL = 0.2  # and for being a rebuttal itself
# What a candidate gains for giving a figure of the measure the counter-claim's sentence
# gives its own ("rejected the charity's figure and said its count of 43 dead was right").
_SAME_MEASURE_GIVEN = 0.2
# A counter-claim's noun this close to a claim's cue echoes it: "argument" and
# "arguing" 0.77, "accusations" and "accused" 0.73; "argument" and "saying" 0.34.
_ECHO_SIMILARITY = 0.6
# A negated clause with this few content words speaks of something already said.
_NEGATED_WORDS = 2
# VADER's compound score at or below which a content is a negative judgement.
_NEGATIVE = -0.2

_CONTENT_POS = frozenset({"NOUN", "PROPN", "VERB", "ADJ"})


@lru_cache(maxsize=16_384)
def content_words(text: str, predicate: bool = False) -> frozenset[str]:
    """Content lemmas of a text, by the one stop-word list; with `predicate`, those of
    its predicate only: a denial and the claim it answers share what is said ("seen on
    the front"), not only whom it is said of ("North Korean soldiers"). Kept per text:
    each question compares the same retrieved claims again, pair by pair."""
    doc = facts.parsed(text)
    subject: set[int] = set()
    if predicate:
        for token in doc:
            if token.dep_ in ("nsubj", "nsubjpass") and token.head.dep_ in ("ROOT", "ccomp"):
                subject |= {t.i for t in token.subtree}
    return _lemmas(t for t in doc if t.i not in subject)


def _lemmas(tokens: Iterable[Token]) -> frozenset[str]:
    # The stop-word list holds content words too ("front", "see", "last"): it only
    # drops words that are not nouns, verbs or adjectives here.
    return frozenset(
        t.lemma_.lower()
        for t in tokens
        if t.is_alpha
        and len(t) > 2
        and (t.pos_ in _CONTENT_POS or (t.lower_ not in facts.STOP and t.pos_ != "AUX"))
    )


def names_content(text: str) -> bool:
    """Whether a content says something of its own, not only "the charge"."""
    return len(content_words(text)) > _ANAPHORIC_WORDS


@lru_cache(maxsize=16_384)
def _negated_reference(text: str) -> bool:
    """A negated clause about something already said or done: a demonstrative or neuter
    pronoun and next to no content words ("I never said that", "That never happened",
    "it's not true"), read from the parse and the morphology."""
    doc = facts.parsed(text)
    for t in dict.fromkeys(doc[i].head for i in _where(doc, DEP, neg)):
        inner = {
            d.i
            for c in t.children
            if c.dep_ in ("conj", "cc", "ccomp", "advcl", "parataxis")
            for d in c.subtree
        }
        clause = [c for c in t.subtree if c.dep_ != "neg" and c.i not in inner]
        # A demonstrative or neuter pronoun, or a bare function word standing as subject
        # or object ("said that", which the tagger may call a conjunction).
        pointing = any(
            (
                c.pos_ == "PRON"
                and (
                    c.morph.get("PronType", []) == ["Dem"] or c.morph.get("Gender", []) == ["Neut"]
                )
            )
            or (
                c.dep_ in ("nsubj", "nsubjpass", "dobj")
                and c.pos_ in ("DET", "SCONJ")
                and not list(c.children)
            )
            for c in clause
        )
        if pointing and len(_lemmas(c for c in clause if not _is_reporting(c))) <= _NEGATED_WORDS:
            return True
    return False


def _is_reporting(token: Token) -> bool:
    # "say" in "I never said that" is the act denied, not a content word of its own.
    return token.pos_ == "VERB" and token.dep_ == "ROOT" and token.lemma_.lower() == "say"


# Relative words, which stand for the noun a relative clause modifies, not a claimant.
_RELATIVE_TAGS = frozenset({"WDT", "WP", "WP$"})


def embedded_denials(located: Sequence[Located]) -> list[Located]:
    """Denials inside a claim's sentence that the extractor leaves inside that claim:
    in a relative clause ("..., a point that officials have disputed", "an account
    rejected by the police"), a denial by the clause's subject (or agent) of the noun
    the clause modifies ("a point"), which names no content of its own and so answers
    the claim just before it, as "denied the charge" does; in a clause of its own ("...,
    but officials disputed that"), of its object. Only a named denier: a pronoun is
    the extractor's to resolve. One the extractor read already (a cue holding the verb)
    is left to it."""
    return _embedded(located, _denials_in, "denial")


def _where(doc: Doc, attr: int, value: int) -> list[int]:
    """Where the tokens with this value of a spaCy attribute stand ("VERB" of POS), read
    as one array: making a token object of every word of every retrieved sentence, each
    question, cost more than the rest of the search for embedded claims."""
    return np.flatnonzero(doc.to_array(attr) == value).tolist()


def embedded_claims(located: Sequence[Located]) -> list[Located]:
    """The claims the extractor leaves inside another claim's sentence: denials
    (`embedded_denials`) and statements (`embedded_statements`)."""
    return [*embedded_denials(located), *embedded_statements(located)]


def embedded_statements(located: Sequence[Located]) -> list[Located]:
    """Statements a sentence reports inside a noun phrase, read from the parse as claims
    of their own, so that what answers them answers their claimant: a noun with a named
    possessor and a "that" clause ("rejected the rebels' claim that 300 soldiers died":
    the rebels, "claim", "that 300 soldiers died"), or a noun a participle with a clause
    of its own describes ("reports alleging that ...": the reports, "alleging"). Only a
    named possessor: a pronoun is the extractor's to resolve. One the extractor read
    already (a cue holding the noun or participle) is left to it."""
    return _embedded(located, _statements_in, "indirect")


# Who, through which word, and what: a claim read from a sentence's parse.
_Found = tuple[SpacySpan, Token, SpacySpan]


def _embedded(
    located: Sequence[Located], find: Callable[[str], Iterable[_Found]], kind: str
) -> list[Located]:
    """The claims `find` reads in the claims' sentences (each sentence once, however many
    claims it holds), but those whose word is already a claim's cue."""
    cues = [(loc.claim.article_id, loc.claim.cue.start, loc.claim.cue.end) for loc in located]
    out: list[Located] = []
    for loc in {(loc.sentence.article_id, loc.sentence.idx): loc for loc in located}.values():
        s = loc.sentence
        for who, cue, what in find(s.text):
            if any(
                a == loc.claim.article_id and start <= s.start + cue.idx < end
                for a, start, end in cues
            ):
                continue
            claim = Claim(
                loc.claim.article_id,
                s.idx,
                who.text,
                _span(s.start, who),
                Span(s.start + cue.idx, s.start + cue.idx + len(cue), cue.text),
                _span(s.start, what),
                kind,
                published=loc.claim.published,
            )
            out.append(replace(loc, claim=claim))
    return out


# What each finder reads of a sentence is kept per text: each question reads the
# sentences of the claims it retrieves again.


@lru_cache(maxsize=16_384)
def _denials_in(text: str) -> tuple[_Found, ...]:
    """A sentence's denials by a named denier, of something it names."""
    doc = facts.parsed(text)
    out: list[_Found] = []
    for i in _where(doc, POS, VERB):
        if doc[i].lemma_.lower() not in DENYING:
            continue
        who, what = _denier(doc[i]), _denied(doc[i])
        if who is not None and what is not None and who.root.pos_ != "PRON":
            out.append((who, doc[i], what))
    return tuple(out)


@lru_cache(maxsize=16_384)
def _statements_in(text: str) -> tuple[_Found, ...]:
    """A sentence's statements reported inside a noun phrase."""
    doc = facts.parsed(text)
    found = (_reported_in(doc[i]) for i in _where(doc, POS, NOUN))
    return tuple(f for f in found if f is not None)


def _reported_in(noun: Token) -> _Found | None:
    """Who reports what through a noun, with the word that reports it: its possessor and
    its "that" clause ("the ministry's statement that the dam was safe"), or the noun
    itself and the clause of a participle describing it ("reports alleging that ...")."""
    doc = noun.doc

    def clause(head: Token) -> SpacySpan | None:
        # The clause opening with "that" just after the noun; the parser hangs it on the
        # noun or, as often, on the verb the noun belongs to ("asked about Clinton's
        # assertion that ...": a complement of "asked").
        for c in [*head.children, *(c for a in head.ancestors for c in a.children)]:
            first = c.left_edge
            if (
                c.dep_ in ("acl", "ccomp")
                and first.i == head.i + 1
                and first.dep_ == "mark"
                and first.lower_ == "that"
            ):
                return doc[first.i : c.right_edge.i + 1]
        return None

    owners = [c for c in noun.children if c.dep_ == "poss" and c.pos_ in ("PROPN", "NOUN")]
    if owners:
        what = clause(noun)
        if what is not None:
            owner = owners[0]
            end = max(t.i for t in owner.subtree if t.dep_ != "case")
            return doc[owner.left_edge.i : end + 1], noun, what
    for verb in noun.children:
        if verb.dep_ == "acl" and verb.tag_ == "VBG":
            what = next(
                (
                    doc[c.left_edge.i : c.right_edge.i + 1]
                    for c in verb.children
                    if c.dep_ == "ccomp"
                ),
                None,
            )
            if what is not None:
                return doc[noun.left_edge.i : noun.i + 1], verb, what
    return None


def _denied(verb: Token) -> SpacySpan | None:
    """What a denial verb denies: the noun its relative clause modifies ("a point"), or
    its object ("that", "the claims")."""
    doc = verb.doc
    for obj in verb.children:
        if obj.dep_ == "dobj" and obj.tag_ not in _RELATIVE_TAGS:
            return doc[obj.left_edge.i : obj.right_edge.i + 1]
    if verb.dep_ in ("relcl", "acl") and verb.head.pos_ in ("NOUN", "PROPN", "PRON"):
        return doc[verb.head.left_edge.i : verb.head.i + 1]
    return None


def _denier(verb: Token) -> SpacySpan | None:
    """Who denies: the verb's subject ("that officials have disputed"), or the agent of
    a passive one ("rejected by the police"); never the relative word
    that stands for what is denied."""
    for c in verb.children:
        if c.dep_ == "nsubj" and c.tag_ not in _RELATIVE_TAGS and c.lower_ != "that":
            return c.doc[c.left_edge.i : c.right_edge.i + 1]
        if c.dep_ == "agent":
            objects = [o for o in c.children if o.dep_ == "pobj"]
            if objects:
                return c.doc[objects[0].left_edge.i : objects[0].right_edge.i + 1]
    return None


def _span(offset: int, words: SpacySpan) -> Span:
    """Words of a sentence's parse as a span of the article, the sentence at `offset`."""
    return Span(offset + words.start_char, offset + words.end_char, words.text)


def answered(located: Sequence[Located], embed: Embed) -> list[tuple[int, list[int]]]:
    """Each counter-claim among `located` (by index) with the claims it answers."""
    if not located:
        return []
    texts = [loc.claim.said for loc in located]
    vectors = embed(texts)
    prototypes = embed(list(_COUNTER_PROTOTYPES))
    before = {i: _before(i, located) for i in range(len(located))}
    # One encoder call for every cue and noun the counter-claims are compared by (`embed`
    # keeps what it has embedded), not one small call per counter-claim.
    embed(
        list(
            dict.fromkeys(
                [loc.claim.cue.text for loc in located]
                + [n for loc in located for n in _nouns(loc.claim.content.text)]
            )
        )
    )
    pointed = {i: _pointed(located[i], [located[j] for j in before[i]], embed) for i in before}
    # Denials say only that: they answer, and are never what another claim answers. A
    # rebuttal is a claim in its own right, which a later denial may answer.
    denials = {
        i
        for i, loc in enumerate(located)
        if loc.claim.kind == "denial" or _negated_reference(texts[i])
    }
    # A denial of the claimant's own words just before it is a revision, no answer to
    # anyone else (`revisions`).
    counters = [
        i
        for i in range(len(located))
        if not _denies_own(i, located)
        and (
            i in denials
            or (any(pointed[i]) and _rebuts(texts[i], prototypes, embed, sentiment=True))
            or (not names_content(texts[i]) and _rebuts(texts[i], prototypes, embed))
        )
    ]
    out: list[tuple[int, list[int]]] = []
    for i in counters:
        if names_content(texts[i]) and not any(pointed[i]):
            found = _by_meaning(i, located, texts, vectors, denials)
        else:
            found = _just_before(i, located, before[i], pointed[i], denials, set(counters), embed)
        if found:
            out.append((i, found))
    taken = set(counters)
    for i, found in list(out):
        for k in _continuing(i, located, taken):
            if _rebuts(texts[k], prototypes, embed, sentiment=True):
                out.append((k, found))
                taken.add(k)
    responding = _responding(located, embed)
    for i in range(len(located)):
        if i in taken:
            continue
        found = _contrary(i, located, texts, vectors, before[i], denials, responding[i])
        if found:
            out.append((i, found))
    return out


def _continuing(i: int, located: Sequence[Located], taken: set[int]) -> list[int]:
    """The claims that carry on a counter-claim: its claimant's, from its sentence until
    another claimant speaks, a few sentences at most ("said the report is misleading.
    'It picked a small sample,' he said"), which answer what it answers when they too
    sound like a rebuttal."""
    counter = located[i]
    here = [
        loc
        for loc in located
        if loc.sentence.article_id == counter.sentence.article_id
        and 0 <= loc.sentence.idx - counter.sentence.idx <= _ANAPHORIC_REACH
    ]
    # Until another claimant speaks: the quote after that answers someone else.
    last = min(
        (
            loc.sentence.idx
            for loc in here
            if loc.sentence.idx > counter.sentence.idx
            and loc.claim.has_claimant
            and not _same_claimant(loc, counter)
        ),
        default=counter.sentence.idx + _ANAPHORIC_REACH + 1,
    )
    return [
        k
        for k, loc in enumerate(located)
        if k not in taken
        and loc.sentence.article_id == counter.sentence.article_id
        and counter.sentence.idx <= loc.sentence.idx < last
        and _same_claimant(loc, counter)
    ]


# Cues that answer someone, whatever the topic: a cue this close to one of these
# ("shot back in an article stating", "fired back") sets its claim against the one before.
_RESPONDING = ("responded", "countered", "shot back", "fired back", "pushed back", "retorted")
_RESPONDING_SIMILARITY = 0.6


def _responding(located: Sequence[Located], embed: Embed) -> list[bool]:
    prototypes = embed(list(_RESPONDING))
    return [
        max(float(v @ p) for p in prototypes) >= _RESPONDING_SIMILARITY
        for v in embed([loc.claim.cue.text for loc in located])
    ]


# A claim contradicting one just before it by another claimant speaks of the same thing:
# this close in meaning, sharing a content word of the predicate.
_CONTRARY_TOPIC = 0.45


def _contrary(
    i: int,
    located: Sequence[Located],
    texts: list[str],
    vectors: list[Vector],
    before: list[int],
    denials: set[int],
    responding: bool,
) -> list[int]:
    """The claim just before a claim that contradicts it without rebuttal words: another
    claimant's claim on the same thing, answered by a responding cue ("shot back") or of
    the opposite polarity ("are still under his control" after "is no longer a
    billionaire, ... beyond his control"); the closest in meaning, the nearer the better. (Contrast connectives, "however", "yet", were tried as
    a signal too: on the benchmark's tune part they tied only agreeing sources.)"""
    if not before:
        return []
    counter = located[i]
    negated = _negated(texts[i])
    words = content_words(texts[i], predicate=True)
    # The cheap similarity test first: reading polarity walks the parse.
    scored = [
        (similarity - _RECENCY * (counter.sentence.idx - located[j].sentence.idx), j)
        for j in before
        if j not in denials
        and (similarity := float(vectors[i] @ vectors[j])) >= _CONTRARY_TOPIC
        and (responding or _negated(texts[j]) != negated)
        and words & content_words(texts[j])
    ]
    return [max(scored)[1]] if scored else []


# Clauses whose negation says nothing of the claim's own polarity: "meetings with people
# who were not officials", "after he did not show up".
_SUBORDINATE = frozenset({"relcl", "acl", "advcl", "csubj", "pcomp"})


@lru_cache(maxsize=16_384)
def _negated(text: str) -> bool:
    """Whether a content's main clause is negated (spaCy's `neg` dependency, reached from
    the root through no relative or subordinate clause): "is no longer a billionaire",
    "it did not include those meetings"."""
    for t in facts.parsed(text):
        if t.dep_ == "neg":
            head = t.head
            while head.dep_ not in _SUBORDINATE and head.head.i != head.i:
                head = head.head
            if head.dep_ not in _SUBORDINATE:
                return True
    return False


def _rebuts(text: str, prototypes: list[Vector], embed: Embed, sentiment: bool = False) -> bool:
    """Whether a content sounds like a rebuttal: a clause close to one of the prototypes,
    or, with `sentiment` (for a claim that points at another), a negative judgement by
    VADER's sentiment lexicon ("a disgrace", "misleading"; alone, "40 people died" would
    be one too)."""
    # A toll is grim, not a judgement of another claim: a content stating figures is
    # left to the figure finder.
    if (
        sentiment
        and not facts.numbers(text)
        and _sentiment().polarity_scores(text)["compound"] <= _NEGATIVE
    ):
        return True
    return any(
        float(v @ p) >= _COUNTER_SIMILARITY
        for v in embed(clauses(facts.parsed(text)))
        for p in prototypes
    )


@lru_cache(maxsize=1)
def _sentiment() -> SentimentIntensityAnalyzer:
    return SentimentIntensityAnalyzer()


def _before(i: int, located: Sequence[Located]) -> list[int]:
    """The claims a counter-claim may answer by position: another claimant's, in the
    same sentence or the few before it."""
    counter = located[i]
    return [
        j
        for j, loc in enumerate(located)
        # Where the claim stands first: comparing names is what costs.
        if j != i
        and loc.sentence.article_id == counter.sentence.article_id
        and 0 <= counter.sentence.idx - loc.sentence.idx <= _ANAPHORIC_REACH
        and loc.claim.has_claimant
        and not _same_claimant(loc, counter)
    ]


@lru_cache(maxsize=16_384)
def _nouns(text: str) -> tuple[str, ...]:
    return tuple(nouns(facts.parsed(text)))


def _pointed(counter: Located, before: list[Located], embed: Embed) -> list[bool]:
    """For each claim before a counter-claim, whether the counter-claim's sentence names
    its claimant ("rejected Trump's offer") or its content echoes its cue ("that
    argument" after "arguing", "the accusation" after "accused")."""
    if not before:
        return []
    # The sentence's words but those naming the counter-claim's own claimant ("Ukraine's
    # military intelligence chief" names no other "intelligence agency").
    text = without_claimant(counter.claim, counter.sentence.text)
    said = {stem(w) for w in re.findall(r"\w{3,}", text)} - _name_words(counter.claim.claimant)
    content_nouns = _nouns(counter.claim.content.text)
    vectors = embed([loc.claim.cue.text for loc in before] + list(content_nouns))
    cues, words = vectors[: len(before)], vectors[len(before) :]
    return [
        bool(_name_words(loc.claim.claimant) & said)
        or any(float(c @ w) >= _ECHO_SIMILARITY for w in words)
        for loc, c in zip(before, cues, strict=True)
    ]


def _by_meaning(
    i: int,
    located: Sequence[Located],
    texts: list[str],
    vectors: list[Vector],
    denials: set[int],
) -> list[int]:
    counter = located[i]
    words = content_words(texts[i], predicate=True)
    found = sorted(
        (
            (float(vectors[i] @ vectors[j]), j)
            for j, o in enumerate(located)
            if j != i
            and j not in denials
            and not _same_claimant(o, counter)
            and float(vectors[i] @ vectors[j]) >= _STANCE_SIMILARITY
            and words & content_words(texts[j])
        ),
        key=lambda x: -x[0],
    )
    unique: dict[str, int] = {}
    for _, j in found:
        unique.setdefault(located[j].key, j)  # each claimant's closest claim
    return list(unique.values())


def _just_before(
    i: int,
    located: Sequence[Located],
    before: list[int],
    pointed: list[bool],
    denials: set[int],
    counters: set[int],
    embed: Embed,
) -> list[int]:
    """The claims just before a counter-claim that it answers: of the claims it points
    at, or else of all, the one closest in meaning to its sentence, the nearer the
    better, a rebuttal less likely than a plain claim; with the other claims its claimant
    made there."""
    counter = located[i]
    pool = [k for k, j in enumerate(before) if j not in denials]
    if any(pointed[k] for k in pool):
        pool = [k for k in pool if pointed[k]]
    if not pool:
        return []
    # Compared with the counter-claim's sentence without the candidate's own words, so
    # that a claim in the same sentence is not close merely by being part of it.
    candidates = [located[before[k]].claim.content.text for k in pool]
    vectors = embed([*candidates, *(counter.sentence.text.replace(c, " ") for c in candidates)])
    contents, sentences = vectors[: len(pool)], vectors[len(pool) :]

    own = _measures(counter.sentence.text)

    def score(n: int) -> float:
        j = before[pool[n]]
        distance = counter.sentence.idx - located[j].sentence.idx
        similarity = float(contents[n] @ sentences[n])
        # "rejected the charity's figure and said its count of 43 dead was accurate":
        # what it rejects gives a figure of the measure the counter-claim gives its own.
        counted = bool(own & _measures(located[j].claim.content.text))
        return (
            similarity
            - _RECENCY * distance
            - _REBUTTAL * (j in counters)
            + _SAME_MEASURE_GIVEN * counted
        )

    best = located[before[pool[max(range(len(pool)), key=score)]]]
    return [before[k] for k in pool if _same_claimant(located[before[k]], best)]


def _measures(text: str) -> set[str]:
    """What the figures of a text count or say happened ("dead", "people"), as lemmas."""
    return {w for f in facts.figures(facts.parsed(text)) for w in (f.counts, f.event) if w}


def _same_claimant(a: Located, b: Located) -> bool:
    """One claimant however the text names it ("Fields", "Michelle Fields")."""
    return a.key == b.key or same_name(a.claim.claimant, b.claim.claimant)


def _name_words(name: str) -> set[str]:
    """The stems of a name's capitalised words: "Saudis" meets "Saudi concerns"."""
    return {stem(w) for w in re.findall(r"[A-Z][\w-]{2,}", name) if w.lower() not in facts.STOP}


# What a claimant taking back or narrowing its own earlier words sounds like, whatever
# the topic: the words before a claim's content ("Sharpton later clarified that to
# mean", "He later walked back his remarks and said") this close to one of these.
_REVISING = (
    "later revised his statement",
    "walked back his earlier remarks",
    "later clarified what he meant",
    "took back what he had said",
    "changed his plans",
)
_REVISING_SIMILARITY = 0.5
# Of the claimant's earlier claims, the one a revision takes back is the closest in
# meaning, the nearer the better (a pledge just before "later revised his plans, saying
# ..." shares few words with what replaced it); one this far off is about something else.
_SAME_TOPIC = 0.25


def _denies_own(j: int, located: Sequence[Located]) -> bool:
    """Whether a claim is a denial naming nothing of its own ("later denied his
    opposition") whose claimant made the claim just before it: it takes that back."""
    loc = located[j]
    if loc.claim.kind != "denial" or names_content(loc.claim.content.text):
        return False
    before = [
        other
        for other in located
        if other.sentence.article_id == loc.sentence.article_id
        and 0 < loc.sentence.idx - other.sentence.idx <= _ANAPHORIC_REACH
    ]
    last = max(before, key=lambda other: other.sentence.idx, default=None)
    return last is not None and _same_claimant(last, loc)


def revisions(located: Sequence[Located], embed: Embed) -> list[tuple[int, int]]:
    """Statements a claimant revised: (the earlier claim, the later one) by index, when
    the later one's lead-in says it revises ("later clarified", "walked back") and the
    same claimant said something close in meaning before it in the same article."""
    if not located:
        return []
    leads = [lead_in(loc.claim, loc.sentence) for loc in located]
    prototypes = embed(list(_REVISING))
    revising = [
        j
        for j, v in enumerate(embed(leads))
        if (leads[j].strip() and max(float(v @ p) for p in prototypes) >= _REVISING_SIMILARITY)
        or _denies_own(j, located)
    ]
    contents = embed([loc.claim.said for loc in located])
    out: list[tuple[int, int]] = []
    for j in revising:
        new = located[j]
        before = [
            i
            for i, old in enumerate(located)
            if old.sentence.article_id == new.sentence.article_id
            and old.sentence.idx < new.sentence.idx
            and _same_claimant(old, new)
        ]
        if not names_content(new.claim.content.text):
            # "later denied his opposition": no words of its own to compare; it takes
            # back what the claimant said just before, a few sentences back at most.
            near = [
                i for i in before if new.sentence.idx - located[i].sentence.idx <= _ANAPHORIC_REACH
            ]
            if near:
                out.append((max(near, key=lambda i: located[i].sentence.idx), j))
                continue
        earlier = [
            (similarity - _RECENCY * (new.sentence.idx - located[i].sentence.idx), i)
            for i in before
            if (similarity := float(contents[i] @ contents[j])) >= _SAME_TOPIC
        ]
        if earlier:
            out.append((max(earlier)[1], j))
    return out
