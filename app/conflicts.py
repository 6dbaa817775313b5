"""Disagreements between sources, laid side by side.

Two kinds are found among the claims of the retrieved passages:
- figures: different claimants give different numbers for the same measure (killed,
  wounded, casualties, deployed...). The same claimant giving a new number at a later
  date is a revision, not a conflict, and is reported as such with the newer one named.
- stance: one claimant denies what another reports ("X denied reports that ...").
A conflict is reported only when one of its claims sits in a sentence the answer cites,
so that it bears on the question.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

import dateparser

from app.generate.base import Answer, ArticleRef, Citation, Passage
from indexer.embed import Embedder
from indexer.models import Claim, Sentence


@dataclass(frozen=True)
class Position:
    claimant: str
    value: str
    citation: int | None
    published: str | None
    quote: str


@dataclass(frozen=True)
class Conflict:
    about: str
    kind: str  # figures | stance | revision
    positions: list[Position]
    note: str | None = None


@dataclass(frozen=True)
class _Located:
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


@dataclass(frozen=True)
class Figure:
    family: str
    low: float
    high: float
    text: str  # as worded: "about 300 killed"
    derived: bool = False  # computed from other figures (killed + wounded)


# ---- figures -------------------------------------------------------------------------

# Measure words by family. Order matters: a compound ("killed or injured") is looked for
# before its parts.
MEASURES: tuple[tuple[str, str], ...] = (
    (r"killed or (?:injured|wounded)|dead or (?:injured|wounded)|casualties|losses", "casualties"),
    (r"killed|dead|deaths|died|fatalities", "killed"),
    (r"wounded|injured|injuries", "wounded"),
    (r"sent|deployed|transported|dispatched|stationed", "deployed"),
)
_MEASURE = re.compile("|".join(f"(?P<m{i}>\\b(?:{p})\\b)" for i, (p, _) in enumerate(MEASURES)))
_NUMBER = re.compile(
    r"(?P<q>(?:about|around|roughly|some|nearly|almost|over|more than|at least|up to|"
    r"approximately|an estimated)\s+)?"
    r"(?:between\s+(?P<lo>\d{1,3}(?:,\d{3})+|\d+)\s+and\s+)?"
    r"(?P<n>\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)(?P<unit>\s*(?:thousand|million))?\b"
)
_FRACTION = re.compile(r"\b(?P<f>half|a third|one-third|two-thirds|a quarter|three-quarters)\b")
_FRACTIONS = {
    "half": 1 / 2,
    "a third": 1 / 3,
    "one-third": 1 / 3,
    "two-thirds": 2 / 3,
    "a quarter": 1 / 4,
    "three-quarters": 3 / 4,
}
_MONTH = re.compile(
    r"\b(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?\s*$", re.IGNORECASE
)
# A number of newly added troops is an increment, not a competing total.
_INCREMENT = re.compile(r"\b(?:new|newly|additional|more|fresh|further)\b", re.IGNORECASE)
_WINDOW_WORDS = 7
# Two figures closer than this (relative to the larger) are the same figure, rounded.
_SAME = 0.15


def figures(text: str) -> list[Figure]:
    """The figures in a claim's content, each tied to the measure word that follows it."""
    out: list[Figure] = []
    for m in _NUMBER.finditer(text):
        if _MONTH.search(text[: m.start("n")]) or _is_year(m.group("n")):
            continue
        family, end = _measure_after(text, m.end())
        if family is None or _INCREMENT.search(text[max(0, m.start() - 30) : end]):
            continue
        scale = {"thousand": 1e3, "million": 1e6}.get((m.group("unit") or "").strip(), 1.0)
        high = float(m.group("n").replace(",", "")) * scale
        low = float(m.group("lo").replace(",", "")) * scale if m.group("lo") else high
        out.append(Figure(family, low, high, f"{text[m.start() : m.end()]} {family}"))
        # "4,000 casualties, two-thirds of whom have been killed": a share of this figure.
        for f in _FRACTION.finditer(text, end, min(len(text), end + 60)):
            share, fend = _measure_after(text, f.end())
            if share is not None and share != family:
                ratio = _FRACTIONS[f.group("f").lower()]
                out.append(Figure(share, low * ratio, high * ratio, f"{f.group('f')} {share}"))
                end = fend
                break
    return _with_totals(out)


def _measure_after(text: str, start: int) -> tuple[str | None, int]:
    words = text[start:].split()
    # Two words of slack past the window, so that a compound measure is read whole.
    window = " ".join(words[: _WINDOW_WORDS + 2])
    m = _MEASURE.search(window)
    if m is None or m.lastgroup is None or len(window[: m.start()].split()) >= _WINDOW_WORDS:
        return None, start
    # A second number before the measure word means the measure belongs to that one.
    if _NUMBER.search(window[: m.start()]):
        return None, start
    offset = text.find(window, start)
    return MEASURES[int(m.lastgroup[1:])][1], offset + m.end()


def _with_totals(found: list[Figure]) -> list[Figure]:
    """Killed plus wounded is a casualty count, so it can be compared with one."""
    fams = {f.family: f for f in found}
    if "casualties" not in fams and "killed" in fams and "wounded" in fams:
        k, w = fams["killed"], fams["wounded"]
        found.append(
            Figure("casualties", k.low + w.low, k.high + w.high, f"{k.text}, {w.text}", True)
        )
    return found


def _is_year(n: str) -> bool:
    return len(n) == 4 and n.isdigit() and 1900 <= int(n) <= 2100


def _differ(a: Figure, b: Figure) -> bool:
    if a.low <= b.high and b.low <= a.high:  # overlapping ranges agree
        return False
    big = max(a.high, b.high)
    return big > 0 and abs((a.low + a.high) - (b.low + b.high)) / 2 / big > _SAME


# ---- claimants and dates -------------------------------------------------------------

_CLAIMANT_NOISE = re.compile(r"^(?:the|a|an)\s+|['’]s\b|\([^)]*\)", re.IGNORECASE)


def claimant_key(name: str) -> str:
    """A comparable form of a claimant's name: no article, possessive or parenthesis."""
    return " ".join(_CLAIMANT_NOISE.sub(" ", name).lower().split())


_DATE_IN_TEXT = re.compile(
    r"\b(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?\s+\d{1,2}\b"
    r"(?:,?\s+\d{4})?"
)


def claim_date(sentence: str, published: str | None) -> str | None:
    """The date the sentence gives for the claim ("on Feb. 14", "a Jan. 13 estimate"),
    read relative to the article's date; else the article's date."""
    m = _DATE_IN_TEXT.search(sentence)
    if m is None:
        return published
    settings: dict[str, object] = {"PREFER_DATES_FROM": "past", "REQUIRE_PARTS": ["day", "month"]}
    if published:
        from datetime import datetime

        settings["RELATIVE_BASE"] = datetime.fromisoformat(published)
    parsed = dateparser.parse(m.group(0).replace(".", ""), languages=["en"], settings=settings)
    return parsed.date().isoformat() if parsed else published


# ---- stance --------------------------------------------------------------------------

# Not app.text's list: spaCy's stop words hold "front", "back", "last", which are exactly
# the predicate words that tie a denial to what it denies.
_STOP = frozenset(
    """the a an and or of to in on for at by with from that this these those have has had
    been be was were is are not no any reports report claims claim said says it its they
    their them there which who whom what when where than then also""".split()  # noqa: SIM905
)
_LEAD = re.compile(r"^(?:reports?|claims?|suggestions?|allegations?)\s+(?:that\s+)?|^that\s+", re.I)
# Similarity of a denied content and a reported one, above which they may be the same claim.
_STANCE_SIMILARITY = 0.5


def _words(text: str) -> set[str]:
    return {w[:5] for w in re.findall(r"[a-z]+", text.lower()) if len(w) > 2 and w not in _STOP}


def _predicate_words(content: str, subject_words: set[str]) -> set[str]:
    return _words(content) - subject_words


# ---- the finder ----------------------------------------------------------------------


class ConflictFinder:
    def __init__(self, embedder: Embedder) -> None:
        self.embedder = embedder

    def find(self, answer: Answer, passages: list[Passage]) -> tuple[list[Conflict], Answer]:
        """Conflicts bearing on the answer, with a citation for every position; the answer
        gains the citations it lacked and a sentence saying that the sources disagree."""
        located = _locate(passages)
        cited = {(c.article.id, c.start, c.end) for c in answer.citations}

        def in_answer(loc: _Located) -> bool:
            s = loc.sentence
            return any(
                aid == s.article_id and start <= s.start and s.end <= end
                for aid, start, end in cited
            )

        groups = self._figure_conflicts(located) + self._stance_conflicts(located)
        groups = [(c, locs) for c, locs in groups if any(in_answer(loc) for loc in locs)]
        return _attach(answer, groups)

    # figures

    def _figure_conflicts(self, located: list[_Located]) -> list[tuple[Conflict, list[_Located]]]:
        by_family: dict[str, list[tuple[_Located, Figure]]] = {}
        for loc in located:
            for fig in figures(loc.claim.content.text):
                by_family.setdefault(fig.family, []).append((loc, fig))
        out: list[tuple[Conflict, list[_Located]]] = []
        claimed: set[str] = set()
        for family in ("killed", "casualties", "wounded", "deployed"):
            items = by_family.get(family, [])
            revision = _revisions(items, family)
            if revision:
                out.append(revision)
            pairs = [
                (a, b)
                for i, a in enumerate(items)
                for b in items[i + 1 :]
                if a[0].key != b[0].key and _differ(a[1], b[1])
            ]
            if not pairs:
                continue
            involved = _sides(_unique_by_claimant([x for pair in pairs for x in pair]))
            keys = {loc.key for side in involved for loc, _ in side}
            # One conflict per set of claimants: killed and casualties usually go together.
            if keys <= claimed:
                continue
            claimed |= keys
            firsts = [side[0][0] for side in involved]
            about = f"{_subject([loc for side in involved for loc, _ in side])} {family}".strip()
            positions = [
                Position(
                    " and ".join(dict.fromkeys(loc.claim.claimant for loc, _ in side)),
                    _value(side[0][0]),
                    None,
                    side[0][0].when,
                    side[0][0].sentence.text,
                )
                for side in involved
            ]
            out.append((Conflict(about, "figures", positions), firsts))
        return out

    # stance

    def _stance_conflicts(self, located: list[_Located]) -> list[tuple[Conflict, list[_Located]]]:
        denials = [loc for loc in located if loc.claim.kind == "denial"]
        if not denials:
            return []
        others = [loc for loc in located if loc.claim.kind != "denial"]
        texts = [_LEAD.sub("", d.claim.content.text) for d in denials]
        vectors = self.embedder.embed(texts + [o.claim.content.text for o in others])
        out: list[tuple[Conflict, list[_Located]]] = []
        for i, denial in enumerate(denials):
            subject = _words(_subject([denial], texts[i]))
            predicate = _predicate_words(texts[i], subject)
            backers = [
                o
                for j, o in enumerate(others)
                if o.key != denial.key
                and float(vectors[i] @ vectors[len(denials) + j]) >= _STANCE_SIMILARITY
                and _shares(predicate, _words(o.claim.content.text))
            ]
            backers = [loc for loc, _ in _unique_by_claimant([(b, None) for b in backers])]
            if not backers:
                continue
            positions = [
                Position(
                    b.claim.claimant,
                    _LEAD.sub("", b.claim.content.text),
                    None,
                    b.when,
                    b.sentence.text,
                )
                for b in backers
            ] + [
                Position(
                    denial.claim.claimant,
                    f"{denial.claim.cue.text} {denial.claim.content.text}",
                    None,
                    denial.when,
                    denial.sentence.text,
                )
            ]
            out.append((Conflict(f"whether {texts[i]}", "stance", positions), [*backers, denial]))
        return out


def _shares(predicate: set[str], words: set[str]) -> bool:
    # Stems may sit inside compounds: "front" in "battlefront".
    return any(p in w or w in p for p in predicate for w in words if min(len(p), len(w)) >= 4)


def _revisions(
    items: list[tuple[_Located, Figure]], family: str
) -> tuple[Conflict, list[_Located]] | None:
    """The same claimant, a different figure at a later date: name the newer one."""
    by_key: dict[str, list[tuple[_Located, Figure]]] = {}
    for loc, fig in items:
        by_key.setdefault(loc.key, []).append((loc, fig))
    for group in by_key.values():
        dated = sorted((x for x in group if x[0].when), key=lambda x: x[0].when or "")
        if (
            len(dated) >= 2
            and dated[0][0].when != dated[-1][0].when
            and _differ(dated[0][1], dated[-1][1])
        ):
            old, new = dated[0], dated[-1]
            positions = [
                Position(loc.claim.claimant, fig.text, None, loc.when, loc.sentence.text)
                for loc, fig in (old, new)
            ]
            note = (
                f"A revision, not a conflict: {new[0].claim.claimant} gave {new[1].text} on "
                f"{new[0].when}, newer than {old[1].text} on {old[0].when}."
            )
            return Conflict(f"{family} (revised)", "revision", positions, note), [old[0], new[0]]
    return None


def _unique_by_claimant(
    items: Iterable[tuple[_Located, Figure | None]],
) -> list[tuple[_Located, Figure | None]]:
    seen: dict[str, tuple[_Located, Figure | None]] = {}
    for loc, fig in items:
        seen.setdefault(loc.key, (loc, fig))
    return list(seen.values())


def _sides(
    items: list[tuple[_Located, Figure | None]],
) -> list[list[tuple[_Located, Figure | None]]]:
    """Claimants whose figures agree stand on one side (two outlets naming one agency
    differently, or two sources repeating one estimate)."""
    sides: list[list[tuple[_Located, Figure | None]]] = []
    for loc, fig in items:
        for side in sides:
            other = side[0][1]
            if fig is not None and other is not None and not _differ(fig, other):
                side.append((loc, fig))
                break
        else:
            sides.append([(loc, fig)])
    return sides


def _value(loc: _Located) -> str:
    figs = [f for f in figures(loc.claim.content.text) if not f.derived]
    return ", ".join(dict.fromkeys(f.text for f in figs)) or loc.claim.content.text


_SUBJECT = re.compile(
    r"\b((?:[A-Z][\w'’-]+\s+){1,3}(?:troops|soldiers|forces|fighters|civilians|people|workers|"
    r"voters|residents|migrants|refugees|officials|members|patients|students))\b"
)


def _subject(locs: list[_Located], text: str | None = None) -> str:
    """What the figures count ("North Korean troops"), when the sentences say it."""
    counts: dict[str, int] = {}
    for loc in locs:
        for m in _SUBJECT.finditer(text or loc.sentence.text):
            counts[m.group(1)] = counts.get(m.group(1), 0) + 1
    return max(counts, key=lambda k: counts[k]) if counts else ""


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
                positions.append(Position(p.claimant, p.value, n, p.published, p.quote))
        if len(positions) >= 2:
            out.append(Conflict(conflict.about, conflict.kind, positions, conflict.note))
    return out


def _locate(passages: list[Passage]) -> list[_Located]:
    """Every claim of the passages once, with its sentence."""
    seen: set[tuple[str, int, int]] = set()
    out: list[_Located] = []
    for p in passages:
        sentences = {s.idx: s for s in p.sentences}
        for c in p.claims:
            key = (c.article_id, c.cue.start, c.content.start)
            if key in seen or c.sentence_idx not in sentences:
                continue
            seen.add(key)
            out.append(_Located(c, sentences[c.sentence_idx], p.article))
    return out


def _attach(
    answer: Answer, groups: list[tuple[Conflict, list[_Located]]]
) -> tuple[list[Conflict], Answer]:
    """Give every position a citation (adding one for a sentence the answer lacks) and say
    in the answer that the sources disagree."""
    if not groups:
        return [], answer
    citations = list(answer.citations)
    sentences: list[str] = []
    conflicts: list[Conflict] = []

    def cite(loc: _Located) -> int:
        s = loc.sentence
        for c in citations:
            if c.article.id == s.article_id and c.start <= s.start and s.end <= c.end:
                return c.n
        citations.append(Citation(len(citations) + 1, loc.article, s.start, s.end, s.text))
        return len(citations)

    for conflict, locs in groups:
        positions = [
            Position(p.claimant, p.value, cite(loc), p.published, p.quote)
            for p, loc in zip(conflict.positions, locs, strict=True)
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
    return conflicts, Answer(text, citations, answer.generator, answer.claims, answer.warnings)
