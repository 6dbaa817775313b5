"""Disagreements between sources, laid side by side.

Three kinds are found among the claims of the retrieved passages, with no list of topics:
- figures: different claimants give different numbers for the same measured thing,
  whatever it is (what a figure counts is read from the parse by `app.facts`, and two
  measures are the same when their words are, or when the embedding model finds them
  near-synonyms: "people die" and "people kill"). Bounds that overlap, shares of another
  figure, and figures for different people or places are compatible, not conflicts; the
  claimant is not what its figure is about, and a pronoun ("lists them with $55 billion")
  is whom the figure before it is about. Every claimant is shown with its own figure, by
  side.
- stance: one claimant denies, disputes, dismisses or rejects what another claims, or
  answers it with a counter-claim, tied to the claim it answers (`app.stance`).
- revision: the same claimant giving a new number at a later date, or taking back or
  narrowing its own words ("later clarified"), reported with the newer one named.
A conflict is reported only when one of its claims sits in a sentence the answer cites,
so that it bears on the question.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import cached_property, lru_cache

import numpy as np
import numpy.typing as npt

from app import facts, stance
from app.generate.base import Answer, ArticleRef, Citation, ClaimUse, Passage
from app.questions import asked_about, asks_who
from app.text import stem
from indexer.embed import TextEncoder
from indexer.models import Claim, Sentence
from indexer.sentence_parses import remember_parts


@dataclass(frozen=True)
class Position:
    claimant: str
    value: str
    citation: int | None
    published: str | None
    quote: str
    side: int = 0  # positions on one side agree with each other


@dataclass(frozen=True)
class Conflict:
    about: str
    kind: str  # figures | stance | revision
    positions: list[Position]
    note: str | None = None


@dataclass(frozen=True)
class Located:
    """A claim with the sentence it sits in and the article it comes from."""

    claim: Claim
    sentence: Sentence
    article: ArticleRef

    @property
    def key(self) -> str:
        return claimant_key(self.claim.claimant)

    @property
    def when(self) -> str | None:
        return claim_date(self.sentence.text, self.claim.published)

    @property
    def content_in_sentence(self) -> tuple[int, int]:
        """Where the claim's content lies in its sentence's text (and parse)."""
        start = self.sentence.start
        return self.claim.content.start - start, self.claim.content.end - start


# A conflict with the claim behind each of its positions, in order.
Found = tuple[Conflict, list[Located]]


# ---- figures -------------------------------------------------------------------------

# Two figures closer than this (relative to the larger) are the same figure, rounded.
_SAME = 0.05
# Cosine similarity of two counted nouns ("people", "civilians") or two predicates ("kill",
# "die": 0.74; "kill", "deploy": 0.31) above which they are the same measure.
_SAME_MEASURE = 0.6


@dataclass(frozen=True)
class Counted:
    """A figure of a claim."""

    loc: Located
    figure: facts.Figure

    # Cached: the finder compares every pair of figures by these.
    @cached_property
    def measure(self) -> str:
        """What the figure measures, in words."""
        return (
            " ".join(w for w in (self.figure.counts, self.event) if w) or self.figure.label.lower()
        )

    @cached_property
    def event(self) -> str:
        """The figure's predicate; one that is the claim's own cue ("Forbes lists them with
        $55 billion") says who measured, not what, and is left out."""
        f = self.figure
        cue = facts.parsed(self.loc.claim.cue.text)
        return "" if any(t.lemma_.lower() == f.event for t in cue) else f.event

    @cached_property
    def setting(self) -> frozenset[str]:
        """What else the claim's content speaks of besides the figure's own measure: the
        stems of its nouns and verbs ("car bomb exploded in a crowded market"), not its
        numbers, dates or times. Two reports of one event share some of them."""
        doc = facts.parsed(self.loc.sentence.text)
        lo, hi = self.loc.content_in_sentence
        f = self.figure
        measure = {stem(w) for w in (f.counts, f.event) if w}
        return (
            frozenset(
                stem(t.lemma_)
                for t in doc
                if lo <= t.idx < hi
                and t.pos_ in ("NOUN", "PROPN", "VERB")
                and t.is_alpha
                and not t.is_stop
                and t.ent_type_ not in _NOT_SETTING
            )
            - measure
        )

    @property
    def value(self) -> str:
        """The figure as the sentence words it, up to the predicate: "310 people had died"."""
        f, text = self.figure, self.loc.sentence.text
        tail = re.match(r"[^.;,:]{0,40}?\b(?:" + re.escape(f.event[:4]) + r")\w*", text[f.end :])
        # A negation just before the figure is part of it: "cannot be more than 5,000".
        negated = _NEGATION_BEFORE.search(text[: f.start])
        start = negated.start() if negated else f.start
        return text[start : f.end + (tail.end() if tail and f.event else 0)]


# Entity types that say when or how much, not what happened: two events share none of
# them for being one event.
_NOT_SETTING = frozenset({"DATE", "TIME", "CARDINAL", "ORDINAL", "QUANTITY", "MONEY", "PERCENT"})

_NEGATION_BEFORE = re.compile(
    r"\b(?:can ?not|can't|could not|couldn't|(?:is|was|are|were|does|did|will|would) not|not)"
    r"(?:\s+be)?\s+$",
    re.IGNORECASE,
)


def claim_figures(located: list[Located]) -> list[Counted]:
    """The figures stated inside each claim's content, read from its sentence's parse."""
    out: list[Counted] = []
    for loc in located:
        doc = facts.parsed(loc.sentence.text)
        lo, hi = loc.content_in_sentence
        inside = [
            f
            for f in facts.figures(doc)
            if lo <= f.start and f.end <= hi and not _asked(loc.sentence.text, f.end)
        ]
        for k, fig in enumerate(inside):
            if fig.increment:
                continue
            if fig.share and fig.label != "PERCENT" and fig.high < 1 and k > 0:
                # "4,000 casualties, two-thirds of whom have been killed": a share of the
                # figure before it, compared as the number it comes to.
                whole = inside[k - 1]
                fig = replace(
                    fig,
                    low=fig.low * whole.low,
                    high=fig.high * whole.high,
                    share=False,
                    start=whole.start,
                )  # shown from the whole: "4,000 casualties, two-thirds of whom have been killed"
            out.append(Counted(loc, _without_claimant(fig, loc.claim)))
    return _resolve_referring(out)


# A full stop, question or exclamation mark that ends a clause (not "4.3" or "U.S.").
_SENTENCE_END = re.compile(r"[.!?](?=[\s\"'”’)]|$)")


def _asked(text: str, end: int) -> bool:
    """Whether the figure ending at `end` is inside a question ("Why aren't I 50 points
    ahead?"): a question states no figure, whoever asks it."""
    stop = _SENTENCE_END.search(text, end)
    return stop is not None and stop.group() == "?"


def _without_claimant(fig: facts.Figure, claim: Claim) -> facts.Figure:
    """The figure's people and places without its claimant, who gives the figure rather
    than being measured by it ("Hurun lists Mr. Trump's wealth at $6.5 billion": Trump);
    a possessive pronoun in a claim ("Trump claims that his net worth exceeds $10
    billion") names the claimant."""
    # The claimant itself, not a place its description names ("the governor of Arlo").
    names = [_name_words(claim.claimant)]
    if claim.claimant_mention is not None:
        names.append(_name_words(claim.claimant_mention.text))
    about = frozenset(a for a in fig.about if _name_words(a) not in names)
    if not about and fig.pronoun == "possessive" and claim.has_claimant:
        about = frozenset({claimant_key(claim.claimant)})
    return replace(fig, about=about)


def _name_words(name: str) -> set[str]:
    # Words of three letters or more: no titles ("Mr."), initials or "of".
    return set(re.findall(r"[a-z]{3,}", claimant_key(name))) - {"the"}


def _same_about(a: frozenset[str], b: frozenset[str]) -> bool:
    """Whether two figures speak of the same people or places, by any name word ("Koch",
    "Charles Koch"); a figure that names none speaks of nothing in particular."""
    words = [set().union(*map(_name_words, x)) for x in (a, b)]
    return not (a or b) or bool(words[0] & words[1])


def _same_people(a: Counted, b: Counted) -> bool:
    """Whether two figures speak of the same people or places; in one article a figure that
    names none is not about one that does ("100 in Beijing" and "568" for the country),
    but another report of the event may leave out the name ("in Kandor") that one gives
    (`_same_where` then asks for something else in common)."""
    fa, fb = a.figure.about, b.figure.about
    return _same_about(fa, fb) or (bool(fa) != bool(fb) and _across(a, b))


def _counts_stated(f: facts.Figure) -> bool:
    """Whether a figure says what it counts beyond its unit ("percent of voters", not a
    bare "percent"; "people", not a sum of "money")."""
    return bool(f.counts) and f.counts not in facts.UNIT_COUNTS


def _across(a: Counted, b: Counted) -> bool:
    """Whether two figures come from different articles."""
    return a.loc.sentence.article_id != b.loc.sentence.article_id


def _same_where(a: Counted, b: Counted) -> bool:
    """Whether two figures may have happened in the same place ("in the camps"): not when
    each states a place and they differ. In one article the article is the context of a
    figure that states none; across articles, one that states no place, or the same
    one, is of the same event only when the two claims speak of something else in common
    ("a car bomb exploded in a crowded market" and "Saturday's market bombing"): two
    reports of the same measure may be of two events."""
    wa, wb = a.figure.where, b.figure.where
    if wa and wb and not wa & wb:
        return False
    return not _across(a, b) or bool(a.setting & b.setting)


_REFERRING_REACH = 2  # sentences back
_ANSWERING_REACH = 4


def _resolve_referring(items: list[Counted]) -> list[Counted]:
    """A figure that says nothing of what it counts ("the number cannot be more than
    5,000") counts what the figure just before it counts; one that names whom it is about
    by a pronoun ("Bloomberg lists them with $55 billion each") is about whom the figure
    just before it is about."""
    out: list[Counted] = []
    for c in items:
        f = c.figure
        if not f.about and f.pronoun == "personal":
            named = [
                p.figure.about
                for p in out
                if p.loc.sentence.article_id == c.loc.sentence.article_id
                and 0 <= c.loc.sentence.idx - p.loc.sentence.idx <= _REFERRING_REACH
                and p.figure.label == f.label
                and p.figure.about
            ]
            if named:
                f = replace(f, about=named[-1])
        if not f.counts and not f.event:
            # "The number cannot be more than 5,000" may answer a figure a few sentences
            # back (after "the minister rejected the figure"); a figure that merely
            # names nothing it counts, only the one just before it.
            reach = _ANSWERING_REACH if f.refers else _REFERRING_REACH
            before = [
                p
                for p in out
                if p.loc.sentence.article_id == c.loc.sentence.article_id
                and 0 < c.loc.sentence.idx - p.loc.sentence.idx <= reach
                and p.figure.label == f.label
                and (p.figure.counts or p.figure.event)
            ]
            if before:
                p = before[-1].figure
                f = replace(
                    f,
                    counts=p.counts,
                    event=p.event,
                    about=p.about,
                    where=p.where,
                    worded=p.worded,
                )
        out.append(Counted(c.loc, f))
    return out


def _differ(a: facts.Figure, b: facts.Figure) -> bool:
    """Whether two figures of one measure disagree: bounds that overlap agree ("at least
    200" and "250"), and so do values within rounding of each other."""
    if a.low <= b.high and b.low <= a.high:
        return False
    big = max(x for x in (a.low, a.high, b.low, b.high) if not math.isinf(x))
    return big > 0 and abs(a.middle - b.middle) / big > _SAME


def comparable(c: Counted) -> bool:
    """Whether a figure can compete with another: a share ("two-thirds of whom", "a dozen
    of the dead") is part of another figure, never a competing total (percentages are
    shares that compare with each other); a bare count or sum ("about 1,800", "$55
    billion" of "them") says nothing of what it counts; nor does a tally's figure say
    whose it is ("leads 51 percent to 44 percent")."""
    f = c.figure
    return (
        (not f.share or f.label == "PERCENT")
        and not f.tally
        and bool(f.about or f.where or c.measure not in ("cardinal", "money", "quantity"))
    )


def _near(x: str, y: str, vx: npt.NDArray[np.float32], vy: npt.NDArray[np.float32]) -> bool:
    """An unstated part agrees with anything; stated ones must be the same words or
    near-synonyms ("people"/"civilians", "kill"/"die")."""
    return not x or not y or x == y or float(vx @ vy) >= _SAME_MEASURE


# English's general plural for human beings: "90 people" may be the "43 migrants" another
# report counts; what happened to them (the predicate) must still be near.
_ANY_PERSONS = frozenset({"people", "person"})


# ---- claimants and dates -------------------------------------------------------------

_CLAIMANT_NOISE = re.compile(r"^(?:the|a|an)\s+|['’]s\b|\([^)]*\)", re.IGNORECASE)


def claimant_key(name: str) -> str:
    """A comparable form of a claimant's name: no article, possessive or parenthesis."""
    return " ".join(_CLAIMANT_NOISE.sub(" ", name).lower().split())


@lru_cache(maxsize=4096)
def claim_date(sentence: str, published: str | None) -> str | None:
    """The date the sentence gives for the claim ("on Feb. 14", "a Jan. 13 estimate"),
    read relative to the article's date; else the article's date."""
    found = facts.dates(sentence, published)
    return found[0][1].isoformat() if found else published


# ---- the finder ----------------------------------------------------------------------


class ConflictFinder:
    def __init__(self, embedder: TextEncoder) -> None:
        self.embedder = embedder
        # An unstated part ("" for a figure with no predicate) agrees with anything
        # (`_near`) and is never compared by its vector: it gets zeros, not an encoder pass.
        self._vectors: dict[str, npt.NDArray[np.float32]] = {
            "": np.zeros(embedder.dim, dtype=np.float32)
        }

    def find(
        self, answer: Answer, passages: list[Passage], question: str
    ) -> tuple[list[Conflict], Answer]:
        """Conflicts bearing on the answer, with a citation for every position, and a
        sentence in the answer saying that the sources disagree. A denial, or a conflict
        the question asks about (`_bears_on`), one of whose claims the answer cites is
        reported, the answer gaining the citations it lacked; otherwise only one whose
        every position the answer already cites: the sides of a disagreement that the
        question did not ask about are citations of what was not asked. The conflicts the
        generator found over the same passages (`Answer.conflicts`) are not found again."""
        cited = {(c.article.id, c.start, c.end) for c in answer.citations}

        def in_answer(loc: Located) -> bool:
            s = loc.sentence
            return any(
                aid == s.article_id and start <= s.start and s.end <= end
                for aid, start, end in cited
            )

        groups = answer.conflicts
        if groups is None:
            groups = self.conflicts(locate(passages))
        return _attach(
            answer,
            [
                (c, locs)
                for c, locs in groups
                if (any if _bears_on(c, locs, question) else all)(map(in_answer, locs))
            ],
        )

    def conflicts(self, located: list[Located]) -> list[Found]:
        """Every conflict among the claims, each with the claim behind each position."""
        remember_parts((loc.claim, loc.sentence) for loc in located)
        located = [*located, *stance.embedded_claims(located)]
        return (
            self._figure_conflicts(located)
            + self._stance_conflicts(located)
            + self._revised_statements(located)
        )

    def _revised_statements(self, located: list[Located]) -> list[Found]:
        out: list[Found] = []
        for i, j in stance.revisions(located, self.embed):
            old, new = located[i], located[j]
            positions = [
                Position(
                    loc.claim.claimant,
                    loc.claim.said,
                    None,
                    loc.when,
                    loc.sentence.text,
                    k,
                )
                for k, loc in enumerate((old, new))
            ]
            note = (
                f"A revision, not a conflict: {new.claim.claimant} later said "
                f"{positions[1].value}, after {positions[0].value}."
            )
            about = f"what {new.claim.claimant} said (revised)"
            out.append((Conflict(about, "revision", positions, note), [old, new]))
        return out

    def embed(self, texts: list[str]) -> list[npt.NDArray[np.float32]]:
        todo = [t for t in dict.fromkeys(texts) if t not in self._vectors]
        for t, v in zip(todo, self.embedder.embed(todo), strict=True):
            self._vectors[t] = v
        return [self._vectors[t] for t in texts]

    # figures

    def figure_mismatch(self, a: Counted, b: Counted) -> str | None:
        """Why two figures do not disagree on one measure, by the first check that stops
        them, or None when they do (between two claimants a conflict, one claimant's a
        revision): "a share or bare count", "unit", "people or places", "what is
        counted", "predicate", "agreeing values"."""
        if not (comparable(a) and comparable(b)):
            return "a share or bare count"
        fa, fb = a.figure, b.figure
        if fa.label != fb.label:
            return "unit"  # dollars, percentages and counts never measure one thing
        if not _same_people(a, b) or not _same_where(a, b) or fa.among != fb.among:
            return "people or places"  # different ones, or named against unnamed
        # In one article, a figure that leaves out what it counts ("paid 25.4 percent", "a 4
        # percent surcharge") counts what the article is speaking of; another report does
        # not say it, unless both say what happened to it ("raise").
        stated = _counts_stated(fa) and _counts_stated(fb)
        if _across(a, b) and not stated and not (a.event and b.event):
            return "what is counted"
        ca, cb, ea, eb = self.embed([fa.counts, fb.counts, a.event, b.event])
        if not (_ANY_PERSONS & {fa.counts, fb.counts} or _near(fa.counts, fb.counts, ca, cb)):
            return "what is counted"
        if not _near(a.event, b.event, ea, eb):
            return "predicate"
        return None if _differ(fa, fb) else "agreeing values"

    def _figure_conflicts(self, located: list[Located]) -> list[Found]:
        items = [c for c in claim_figures(located) if comparable(c)]
        # One encoder call for every counted noun and predicate (`embed` keeps them).
        self.embed([c.figure.counts for c in items] + [c.event for c in items])

        # Each pair's check once: the pairs below and the groups built from them read it.
        n = len(items)
        why = {
            (i, j): self.figure_mismatch(items[i], items[j])
            for i in range(n)
            for j in range(i + 1, n)
        }

        def same_measure(i: int, j: int) -> bool:
            return why[min(i, j), max(i, j)] in (None, "agreeing values")

        def stated(k: int) -> bool:
            return bool(items[k].event)

        out: list[Found] = []
        claimed: set[frozenset[str]] = set()
        covered: set[tuple[int, int]] = set()  # (item, item) pairs already in a conflict
        for i, a in enumerate(items):
            for j in range(i + 1, len(items)):
                b = items[j]
                if why[i, j] is not None:
                    continue
                if a.loc.key == b.loc.key:
                    revision = _revision(a, b)
                    if revision and frozenset({a.loc.key, "revision"}) not in claimed:
                        claimed.add(frozenset({a.loc.key, "revision"}))
                        out.append(revision)
                    continue
                if (i, j) in covered:
                    continue

                def linked(k: int, m: int, i: int = i, j: int = j) -> bool:
                    # A figure that says what happened ("killed", "death toll") links its
                    # measure's names; one that says only what it counts ("150 people")
                    # agrees with any predicate, so it joins only a pair it matches itself
                    # and links nothing further.
                    if stated(k) and stated(m):
                        return same_measure(k, m)
                    return same_measure(i, m) and same_measure(j, m)

                group = _closure([i, j], n, linked)
                sides = _sides(a, b, [items[k] for k in group])
                ids = {id(c) for side in sides for c in side}
                in_conflict = [k for k in group if id(items[k]) in ids]
                covered |= {(x, y) for x in in_conflict for y in in_conflict}
                # Every claimant with its own figure, by side: "about $47 billion" stands
                # with "$55 billion" against "under $40 billion", each as stated.
                members = [(k, c) for k, side in enumerate(sides) for c in side]
                positions = [
                    Position(
                        c.loc.claim.claimant,
                        c.value,
                        None,
                        c.loc.when,
                        c.loc.sentence.text,
                        k,
                    )
                    for k, c in members
                ]
                about = max((c.figure.worded for side in sides for c in side), key=len)
                conflict = Conflict(about or a.measure, "figures", positions)
                out.append((conflict, [c.loc for _, c in members]))
        return out

    # stance

    def _stance_conflicts(self, located: list[Located]) -> list[Found]:
        out: list[Found] = []
        for i, found in stance.answered(located, self.embed):
            counter = located[i]
            backers = [located[j] for j in found]
            positions = [
                Position(
                    b.claim.claimant,
                    b.claim.said,
                    None,
                    b.when,
                    b.sentence.text,
                )
                for b in backers
            ] + [
                Position(
                    counter.claim.claimant,
                    f"{counter.claim.cue.text} {counter.claim.content.text}",
                    None,
                    counter.when,
                    counter.sentence.text,
                    1,
                )
            ]
            # What is disputed is what the answered claim says: the counter-claim's own
            # words are a rebuttal ("was not her view and dismissed those reports"), which
            # reads as no question after "whether".
            about = backers[0].claim.said
            out.append((Conflict(f"whether {about}", "stance", positions), [*backers, counter]))
        return out


def _revision(a: Counted, b: Counted) -> Found | None:
    """The same claimant, a different figure at a later date: name the newer one."""
    if not a.loc.when or not b.loc.when or a.loc.when == b.loc.when:
        return None
    old, new = sorted((a, b), key=lambda c: c.loc.when or "")
    positions = [
        Position(c.loc.claim.claimant, c.value, None, c.loc.when, c.loc.sentence.text, k)
        for k, c in enumerate((old, new))
    ]
    note = (
        f"A revision, not a conflict: {new.loc.claim.claimant} said {new.value} on "
        f"{new.loc.when}, newer than {old.value} on {old.loc.when}."
    )
    about = f"{new.figure.measure} (revised)"
    return Conflict(about, "revision", positions, note), [old.loc, new.loc]


def _bears_on(conflict: Conflict, locs: list[Located], question: str) -> bool:
    """Whether a conflict one of whose claims the answer cites is worth its other sides:
    when the question asks about it (`asked_about`); and for a denial (the counter-claim's
    cue denies, dismisses, rejects: "the opposition dismissed the toll"), which says
    whether what the answer cites holds, unless the question asks only who said something
    (the other sides are not its evidence). A counter-claim read from its content alone
    (a rebuttal by its words or its sentiment) is less sure: shown when asked about."""
    denial = conflict.kind == "stance" and locs[-1].claim.kind == "denial"
    return (denial and not asks_who(question)) or asked_about(conflict, question)


def _closure(start: list[int], n: int, linked: Callable[[int, int], bool]) -> list[int]:
    """The items reached from `start` through `linked` pairs, in order: a measure's
    figures, however named ("died" near "dead", "dead" near "killed"), form one group
    even where two of its names are not near each other directly."""
    found = set(start)
    todo = list(start)
    while todo:
        k = todo.pop()
        for m in range(n):
            if m not in found and linked(k, m):
                found.add(m)
                todo.append(m)
    return sorted(found)


def _sides(a: Counted, b: Counted, group: list[Counted]) -> list[list[Counted]]:
    """The claimants of a measure in camps: those agreeing with `a`'s figure, those
    agreeing with `b`'s (two outlets naming one agency differently, or two sources
    repeating one estimate stand together), and a camp of its own for each figure that
    agrees with neither (three ministries, three tolls); one claim per claimant."""
    sides: list[list[Counted]] = [[a], [b]]
    seen = {a.loc.key, b.loc.key}
    for c in group:
        if c.loc.key in seen:
            continue
        seen.add(c.loc.key)
        side = next((side for side in sides if not _differ(c.figure, side[0].figure)), None)
        if side is None:
            sides.append([c])
        else:
            side.append(c)
    # Each side is shown by one claim: where one can, from the other side's article, so
    # that the positions read side by side in one story.
    other = [b.loc.sentence.article_id] + [a.loc.sentence.article_id] * (len(sides) - 1)
    return [
        sorted(side, key=lambda c: c.loc.sentence.article_id != article)
        for side, article in zip(sides, other, strict=True)
    ]


def renumber(conflicts: list[Conflict], answer: Answer) -> list[Conflict]:
    """Point each position at the citation that now quotes its sentence, after verification
    may have narrowed, removed or renumbered citations; a side left uncited is dropped."""
    out: list[Conflict] = []
    for conflict in conflicts:
        positions = []
        for p in conflict.positions:
            n = next(
                (c.n for c in answer.citations if c.quote in p.quote or p.quote in c.quote), None
            )
            if n is not None:
                positions.append(replace(p, citation=n))
        if len({p.side for p in positions}) >= 2:
            out.append(Conflict(conflict.about, conflict.kind, positions, conflict.note))
    return out


def locate(passages: list[Passage]) -> list[Located]:
    """Every claim of the passages once, with its sentence; none from a headline (which
    restates its article's claims, and is never an answer sentence)."""
    seen: set[tuple[str, int, int]] = set()
    out: list[Located] = []
    for p in passages:
        sentences = {s.idx: s for s in p.sentences}
        for c in p.claims:
            key = (c.article_id, c.cue.start, c.content.start)
            if key in seen or c.sentence_idx not in sentences:
                continue
            if p.headline(sentences[c.sentence_idx]):
                continue
            seen.add(key)
            out.append(Located(c, sentences[c.sentence_idx], p.article))
    return out


def _one_per_measure(groups: list[Found]) -> list[Found]:
    """Figure conflicts on one measure as one disagreement with every position once: three
    ministries giving three tolls are one disagreement of three sides, not three pairs.
    A position's side is its figure's, so positions giving the same figure share one."""
    out: list[Found] = []
    where: dict[str, int] = {}
    for conflict, locs in groups:
        if conflict.kind != "figures":
            out.append((conflict, locs))
            continue
        if conflict.about not in where:
            where[conflict.about] = len(out)
            out.append((conflict, list(locs)))
            continue
        k = where[conflict.about]
        merged, have = out[k]
        positions = list(merged.positions)
        for position, loc in zip(conflict.positions, locs, strict=True):
            if not any(
                (p.claimant, p.value) == (position.claimant, position.value) for p in positions
            ):
                positions.append(position)
                have.append(loc)
        out[k] = (replace(merged, positions=positions), have)
    return [
        (replace(c, positions=_sided(c.positions)), locs) if c.kind == "figures" else (c, locs)
        for c, locs in out
    ]


def _sided(positions: list[Position]) -> list[Position]:
    values = list(dict.fromkeys(p.value for p in positions))
    return [replace(p, side=values.index(p.value)) for p in positions]


def _attach(answer: Answer, groups: list[Found]) -> tuple[list[Conflict], Answer]:
    """Give every position a citation (adding one for a sentence the answer lacks) and say
    in the answer that the sources disagree."""
    if not groups:
        return [], answer
    citations = list(answer.citations)
    sentences: list[str] = []
    conflicts: list[Conflict] = []

    def cite(loc: Located) -> int:
        s = loc.sentence
        for c in citations:
            if c.article.id == s.article_id and c.start <= s.start and s.end <= c.end:
                return c.n
        citations.append(Citation(len(citations) + 1, loc.article, s.start, s.end, s.text))
        return len(citations)

    claims = list(answer.claims)
    for conflict, locs in _one_per_measure(groups):
        numbers = [cite(loc) for loc in locs]
        positions = [
            replace(p, citation=n) for p, n in zip(conflict.positions, numbers, strict=True)
        ]
        # Each position's claim is listed with its citation, so the verifier knows whom
        # the "disagree" sentence credits with each part.
        claims += [
            ClaimUse(loc.claim, n)
            for loc, n in zip(locs, numbers, strict=True)
            if not any(u.claim is loc.claim and u.citation == n for u in claims)
        ]
        conflicts.append(Conflict(conflict.about, conflict.kind, positions, conflict.note))
        parts = "; ".join(
            f"{loc.claim.claimant}: {p.value} [{p.citation}]"
            for p, loc in zip(positions, locs, strict=True)
        )
        if conflict.kind == "revision":
            sentences.append(f"{conflict.note} {parts}.")
        else:
            sentences.append(f"The sources disagree on {conflict.about}: {parts}.")
    text = " ".join([answer.text, *sentences]) if answer.citations else " ".join(sentences)
    return conflicts, replace(answer, text=text, citations=citations, claims=claims)
