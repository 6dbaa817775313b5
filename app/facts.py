"""What the verifier, the conflict finder and the retriever read from text: figures (and
what each one counts), dates, and the one stop-word list.

Figures come from spaCy's CARDINAL, QUANTITY, MONEY and PERCENT entities, their values from
text2num (words to numbers: "four thousand and twelve") plus the few forms it leaves alone
(separators "4,000" = "4 000" = "4000", "a dozen", "two-thirds", "2.5 million"). What a
figure counts is read from the parse: the noun it quantifies, the noun after "of" for a
share, and the predicate it is the subject or object of ("300 were killed").
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache

import dateparser
from dateparser.search import search_dates
from spacy.tokens import Doc, Span, Token
from text_to_num import alpha2digit, text2num

from app.text import STOP
from indexer.sentence_parses import part_of, span_doc
from indexer.split import parse, tag

__all__ = ["STOP", "Figure", "date_words", "dates", "figures", "numbers", "read_number"]

FIGURE_LABELS = frozenset({"CARDINAL", "QUANTITY", "MONEY", "PERCENT"})

# Bounds stated around a figure. These are the grammar of approximation in English, not a
# topic list: "at least 50", "cannot be more than 5,000", "up to 3,000", "some 300".
_BOUNDS = {  # "upper" first: "no more than" ends with "more than"
    "upper": r"up to|at most|no more than|fewer than|less than|under|below|a maximum of|"
    r"not more than|(?:can ?not|can't|could not|couldn't|cannot) be more than",
    "lower": r"at least|more than|over|upwards of|in excess of|no fewer than|no less than|"
    r"above|exceed(?:s|ed|ing)?|as many as|a minimum of",
    "approx": r"about|around|roughly|approximately|nearly|almost|some|an estimated|estimated|"
    r"close to|more or less",
}
_BOUND_AT_START = {k: re.compile(rf"^(?:{v})\b\s*") for k, v in _BOUNDS.items()}
_BOUND_AT_END = {k: re.compile(rf"\b(?:{v})\s*$") for k, v in _BOUNDS.items()}
_APPROX_SLACK = 0.1
# "At least 300" is read as news uses it, an estimate near 300 that may be low, not as
# any number above 300: an open bound reaches this many times the figure.
_OPEN_BOUND_REACH = 2.0
_RANGE = re.compile(
    r"^between\s+(?P<a>.+?)\s+and\s+(?P<b>.+)$|^(?P<c>[^-–]+?)\s*(?:\bto\b|-|–)\s*(?P<d>[^-–]+)$"
)
_SCALES = {"hundred": 1e2, "thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12}
_SCALE = re.compile(rf"\b({'|'.join(_SCALES)})s?\b")
_DIGITS = re.compile(r"(?<![\w.])\d{1,3}(?:[, ]\d{3})+(?![\d])|\d+(?:\.\d+)?")
# A fraction read from its words: numerator by text2num, denominator by its ordinal.
_DENOMINATORS = {"half": 2, "halves": 2, "third": 3, "thirds": 3, "quarter": 4, "quarters": 4}
_DENOMINATORS |= {"fourth": 4, "fourths": 4, "fifth": 5, "fifths": 5, "tenth": 10, "tenths": 10}
_FRACTION = re.compile(rf"\b(?P<n>[a-z]+)[\s-](?P<d>{'|'.join(_DENOMINATORS)})\b")
_DOZEN = re.compile(r"\b(?:a|one)?\s*dozen\b")
# Plural round numbers as ranges: at least two of the unit, fewer than the next unit up
# ("hundreds" 200 to 1,000); "tens of thousands" multiplies the two (20,000 to 100,000).
_PLURAL = {
    "tens": (20.0, 100.0),
    "dozens": (24.0, 100.0),
    "scores": (40.0, 100.0),
    "hundreds": (200.0, 1e3),
    "thousands": (2e3, 1e4),
    "millions": (2e6, 1e7),
    "billions": (2e9, 1e10),
}
_PLURAL_OF = re.compile(rf"^({'|'.join(_PLURAL)})\s+of\s+({'|'.join(_SCALES)})s?$")


@dataclass(frozen=True)
class Figure:
    """One figure of a text: its value as a range (`low` = `high` when exact), as worded,
    where it is, and what it counts."""

    low: float
    high: float
    text: str
    start: int
    end: int
    label: str  # CARDINAL | QUANTITY | MONEY | PERCENT
    counts: str  # the lemma of the noun it quantifies ("people", "percent"), or ""
    event: str  # the lemma of the predicate it belongs to ("die", "kill"), or ""
    share: bool = False  # a part of something else: "two-thirds of whom", "a dozen of the dead"
    # The people and places named in the figure's own clause ("100 billionaires in Beijing"):
    # two figures about different ones, or one naming some and one none, are about
    # different things.
    about: frozenset[str] = frozenset()
    increment: bool = False  # "1,000 newly transported", "an additional 500": not a total
    worded: str = ""  # what it counts as the text words it: "soldiers killed"
    # Whom the figure's clause names by a third-person pronoun instead of a name: "" when
    # none, "possessive" ("his net worth"), "personal" ("lists them with $55 billion").
    pronoun: str = ""
    # Where it happened, by a common noun ("in the camps"): unlike a named place, a figure
    # that says no such place may still be about the same one.
    where: frozenset[str] = frozenset()
    # Said of something already named: the clause's subject or object is a definite or
    # demonstrative phrase ("the number cannot be more than 5,000", "put it at 310").
    refers: bool = False
    # The group it is counted within ("leads by 83 points among black voters"): a figure
    # of a part, which a figure of the whole, or of another part, does not contradict.
    among: frozenset[str] = frozenset()
    # One of a tally's figures ("leads 51 percent to 44 percent", "won 6-2"): each belongs
    # to another party, and which to whom the parse does not say.
    tally: bool = False

    @property
    def measure(self) -> str:
        """What is measured, in words: "people die", "percent support"."""
        return " ".join(w for w in (self.counts, self.event) if w) or self.label.lower()

    @property
    def middle(self) -> float:
        return self.low if math.isinf(self.high) else (self.low + self.high) / 2


def read_number(phrase: str, before: str = "") -> tuple[float, float] | None:
    """The value of a number phrase as a (low, high) range, with the bounds stated in it
    or just `before` it; None when it holds no number (e.g. "one" of "one of them")."""
    text = " ".join(phrase.lower().replace("’", "'").split())
    text = re.sub(r"^(?:only|just|a total of|all)\s+", "", text)
    lead = next((m.group() for p in _BOUND_AT_START.values() if (m := p.match(text))), "")
    text = text[len(lead) :]
    near = f"{' '.join(before.lower().split())} {lead}".strip()
    bound = next((k for k, p in _BOUND_AT_END.items() if p.search(near)), None)
    if ranged := _RANGE.match(text):
        first, second = (
            ranged.group("a") or ranged.group("c"),
            ranged.group("b") or ranged.group("d"),
        )
        a, b = _value(first), _value(second)
        if a is not None and b is not None:
            if not _SCALE.search(first) and (scale := _SCALE.search(second)):
                a *= _SCALES[scale.group(1)]  # "between 2 and 3 million"
            return (min(a, b), max(a, b))
    if plural := _plural(text):
        return plural
    value = _value(text)
    if value is None:
        return None
    if bound == "lower":
        return (value, value * _OPEN_BOUND_REACH)
    if bound == "upper":
        return (0.0, value)
    if bound == "approx":
        return (value * (1 - _APPROX_SLACK), value * (1 + _APPROX_SLACK))
    return (value, value)


def _plural(text: str) -> tuple[float, float] | None:
    """A plural round number's range: "hundreds (of)", "tens of thousands"."""
    text = re.sub(r"\s+of$", "", text.strip(" ,.$€£"))
    if text in _PLURAL:
        return _PLURAL[text]
    if m := _PLURAL_OF.match(text):
        low, high = _PLURAL[m.group(1)]
        return (low * _SCALES[m.group(2)], high * _SCALES[m.group(2)])
    return None


def _value(text: str) -> float | None:
    text = text.strip(" ,.$€£%").replace("per cent", "percent")
    text = re.sub(r"\s*percent$", "", text).strip()
    if plural := _plural(text):
        return plural[0]
    if (m := _FRACTION.search(text)) and (n := _word_value("one" if m["n"] == "a" else m["n"])):
        return n / _DENOMINATORS[m["d"]]
    if _DOZEN.fullmatch(text):
        return 12.0
    if not _DIGITS.search(text):
        text = alpha2digit(text, "en")  # "four thousand and twelve" -> "4012"
    digits = _DIGITS.search(text)
    if digits is None:
        bare = _SCALE.fullmatch(re.sub(r"^(?:a|one)\s+", "", text))  # "a million"
        return _SCALES[bare.group(1)] if bare else None
    number = float(re.sub(r"[, ]", "", digits.group()))
    scale = re.match(rf"\s*({'|'.join(_SCALES)})\b", text[digits.end() :])
    return number * _SCALES[scale.group(1)] if scale else number


def _word_value(words: str) -> float | None:
    try:
        return float(text2num(words, "en"))
    except ValueError:
        return None


_NUMBER_WORDS = [
    *[
        "one",
        "two",
        "three",
        "four",
        "five",
        "six",
        "seven",
        "eight",
        "nine",
        "ten",
        "eleven",
        "twelve",
        "thirteen",
    ],
    *[
        "fourteen",
        "fifteen",
        "sixteen",
        "seventeen",
        "eighteen",
        "nineteen",
        "twenty",
        "thirty",
        "forty",
    ],
    *["fifty", "sixty", "seventy", "eighty", "ninety"],
]
_W = "|".join(sorted(_NUMBER_WORDS, key=len, reverse=True))
_S = "|".join(_SCALES)
_NUMBER = re.compile(
    rf"\b(?P<fraction>(?:{_W}|a)[\s-](?:{'|'.join(_DENOMINATORS)}))\b"
    r"|(?<![\w.,/])(?P<dn>\d+)\s*/\s*(?P<dd>\d+)(?![\w/])"
    r"|(?<![\w.,])(?P<digits>\d{1,3}(?:(?:,|\s)\d{3})+(?![\d])|\d+(?:\.\d+)?)"
    rf"(?:\s*(?:%|percent\b|per cent\b))?(?:\s+(?P<dscale>{_S})\b)?"
    rf"|\b(?P<words>(?:{_W})(?:-(?:{_W}))?(?:\s+(?:{_S}))?)\b",
    re.IGNORECASE,
)


def numbers(text: str) -> dict[float, str]:
    """Every figure of a plain text by value, as worded ("4,000", "4 000" and "4000" are
    one; "four thousand" is 4000; "two-thirds" = "2/3"). A bare "one" is left out: it is
    mostly not a figure ("one of them"). No parse: cheap enough for every answer sentence."""
    out: dict[float, str] = {}
    for m in _NUMBER.finditer(text):
        value: float | None
        if m.group("dd"):
            value = int(m.group("dn")) / int(m.group("dd")) if int(m.group("dd")) else None
        elif m.group("words") and m.group("words").lower() == "one":
            value = None
        else:
            value = _value(m.group().lower())
        if value is not None:
            out.setdefault(round(value, 4), m.group().strip())
    return out


@lru_cache(maxsize=4096)
def parsed(text: str) -> Doc:
    """spaCy's parse of a short text (a sentence, a claim's content), kept for reuse; a
    claim's cue, content or said text is read from its sentence's parse
    (`indexer.sentence_parses.remember_parts`): no parse at question time."""
    part = part_of(text)
    doc = span_doc(parsed(part[0]), part[1], part[2]) if part is not None else None
    return doc if doc is not None else parse(text)


@lru_cache(maxsize=1024)
def tagged(text: str) -> Doc:
    """A short text's parts of speech and lemmas (`indexer.split.tag`), kept for reuse:
    for what needs no parse, such as a question's words."""
    return tag(text)


def figures(doc: Doc | Span) -> list[Figure]:
    """The figures of a parsed text (not dates, times, ordinals, years), each with what it
    counts and its bounds. Offsets are the doc's character offsets."""
    out: list[Figure] = []
    base = doc.start_char if isinstance(doc, Span) else 0
    # "51 percent to" of "51 percent to 44 percent": the "to" joins two figures.
    read = [
        (ent, text, rng)
        for ent in doc.ents
        if ent.label_ in FIGURE_LABELS
        and not _is_year(ent)
        and (rng := read_number(text := _TRAILING_TO.sub("", ent.text), _before(ent))) is not None
    ]
    tallies = _tallies(read)
    for k, (ent, text, rng) in enumerate(read):
        counts, event, share, worded = _counted(ent)
        clause = _clause(ent)
        refers = _refers(ent)
        if _is_value_of(ent):
            # "the death toll had risen to 112", "put the toll at 1,870": the figure is
            # the value of a measure, not a count of "rise" or "put". The measure's own
            # words say what it counts ("death" toll, the number "of people killed");
            # a bare "the toll" is one named before.
            measure = _named_measure(ent)
            if measure is not None:
                counts, event, worded = measure
                refers = False
            elif refers:
                counts, event, worded = "", "", ""
        out.append(
            Figure(
                rng[0], rng[1], text, ent.start_char - base,
                ent.start_char - base + len(text), ent.label_, counts, event, share,
                _about(ent, clause), _increment(ent), worded, _pronoun(ent, clause),
                _where(ent), refers, _among(ent), k in tallies,
            )
        )  # fmt: skip
    return out


_TRAILING_TO = re.compile(r"\s*(?:\bto|[-–])$")
_SCORE = re.compile(r"(\d[\d.,]*)\s*[-–]\s*(\d[\d.,]*)")
_JOINED = re.compile(r"\s*(?:to|[-–])?\s*")


def _descending(text: str) -> bool:
    """A tally in one figure's words: "6-2", "a 5-4 decision"."""
    m = _SCORE.search(text)
    a, b = (_value(g) for g in m.groups()) if m else (None, None)
    return a is not None and b is not None and a > b


def _before(ent: Span) -> str:
    return ent.doc[max(0, ent.start - 4) : ent.start].text


def _tallies(read: list[tuple[Span, str, tuple[float, float]]]) -> set[int]:
    """Which figures are a tally's: two of one kind joined by "to" or a dash, the larger
    first ("51 percent to 44 percent", "6-2"). A range is written the other way round,
    the smaller first ("50 to 60 people")."""
    out = {k for k, (ent, _, _) in enumerate(read) if _descending(ent.text)}
    for k in range(len(read) - 1):
        (a, _, (a_low, _)), (b, _, (_, b_high)) = read[k], read[k + 1]
        gap = a.doc.text[a.end_char : b.start_char]
        joined = bool(_TRAILING_TO.search(a.text)) or gap.strip() in ("to", "-", "–")
        if a.label_ == b.label_ and joined and _JOINED.fullmatch(gap) and a_low > b_high:
            out |= {k, k + 1}
    return out


def _is_year(ent: Span) -> bool:
    return ent.label_ == "CARDINAL" and bool(re.fullmatch(r"(?:19|20)\d\d", ent.text))


_NOUNS = frozenset({"NOUN", "PROPN"})
_NAMED = frozenset(
    {"PERSON", "GPE", "LOC", "FAC"}
)  # not NORP: "North Korean" soldiers are soldiers
_WHERE = frozenset({"in", "at", "near", "inside", "across"})
_OTHER_CLAUSES = frozenset({"advcl", "conj", "ccomp", "relcl", "parataxis"})


# Words that make a figure an addition to an earlier one rather than a total.
_ADDED = frozenset({"new", "newly", "additional", "additionally", "more", "further", "fresh"})


def _increment(ent: Span) -> bool:
    root = ent.root
    near = [*ent, *root.head.children, *(root.head.head.children if root.dep_ != "ROOT" else [])]
    return any(
        (t.lower_ in _ADDED and t.dep_ in ("amod", "advmod") and not _before_than(t))
        or t.lower_ == "another"
        for t in near
    )


def _before_than(token: Token) -> bool:
    # "more than 5,000" is a bound, not an addition.
    return token.i + 1 < len(token.doc) and token.doc[token.i + 1].lower_ == "than"


def _clause(ent: Span) -> set[int]:
    """The token indices of the clause that holds the figure: the subtree of its nearest
    verb, without the other clauses it holds ("..., while Beijing ranked fourth")."""
    head = _clause_head(ent)
    inside = {t.i for t in head.subtree}
    for child in head.children:
        if child.dep_ in _OTHER_CLAUSES and not (
            child.left_edge.i <= ent.root.i <= child.right_edge.i
        ):
            inside -= {t.i for t in child.subtree}
    return inside


def _clause_head(ent: Span) -> Token:
    return _up_to_clause(ent)[-1]


def _up_to_clause(ent: Span) -> list[Token]:
    """The figure's root and the words above it, up to its clause's verb."""
    path, head = [ent.root], ent.root
    while head.pos_ not in ("VERB", "AUX") and head.head.i != head.i:
        head = head.head
        path.append(head)
    return path


def _own(ent: Span) -> set[int]:
    """The figure's own tokens and the word it hangs from ("310 people"): what it counts,
    never what its clause says of it."""
    return {t.i for t in ent} | {ent.root.head.i}


def _arguments(ent: Span) -> list[Token]:
    """The subjects and objects of the figure's clause, other than what the figure counts."""
    own = _own(ent)
    return [
        c
        for c in _clause_head(ent).children
        if c.dep_ in ("nsubj", "nsubjpass", "dobj") and c.i not in own
    ]


def _refers(ent: Span) -> bool:
    """Whether the figure's clause has a subject or object, other than what the figure
    counts, that is a definite or demonstrative phrase or a third-person pronoun (spaCy's
    morphology): the figure is said of something named before."""
    for c in _arguments(ent):
        if c.pos_ == "PRON" and c.morph.get("PronType", []) in (["Prs"], ["Dem"]):
            return c.morph.get("Person", ["3"]) == ["3"]
        if c.pos_ == "NOUN" and any(
            d.dep_ == "det"
            and (d.morph.get("Definite", []) == ["Def"] or d.morph.get("PronType", []) == ["Dem"])
            for d in c.children
        ):
            return True
    return False


def _is_value_of(ent: Span) -> bool:
    """Whether the figure is where its verb puts or brings something ("rose to 112",
    "stood at 310", "put ... at 1,870"): the object of "to" or "at" on the clause's verb."""
    root = ent.root
    prep = root.head
    return (
        root.dep_ == "pobj"
        and prep.lower_ in ("to", "at")
        and prep.head.i == _clause_head(ent).i
        and prep.head.pos_ == "VERB"
    )


def _named_measure(ent: Span) -> tuple[str, str, str] | None:
    """What the measure a figure is the value of counts, when its noun says it: "the death
    toll" (a modifier: counts nothing named, the event "death"), "the number of people
    killed" (the people, and the verb on them); None for a bare "the toll" or "it"."""
    args = _arguments(ent)
    # What "put ... at" puts is its object; what "rose to" raises, its subject.
    nouns = [c for c in args if c.dep_ == "dobj"] or args
    for noun in nouns:
        if noun.pos_ != "NOUN":
            continue
        of = next((c for c in noun.children if c.dep_ == "prep" and c.lower_ == "of"), None)
        obj = next((c for c in of.children if c.dep_ == "pobj"), None) if of else None
        if obj is not None and obj.pos_ in _NOUNS:
            # "the number of people killed": the verb hangs from the noun or its object.
            verb = next(
                (
                    c
                    for c in (*obj.children, *noun.children)
                    if c.dep_ in ("acl", "amod") and c.pos_ == "VERB"
                ),
                None,
            )
            event = verb.lemma_.lower() if verb is not None else ""
            return obj.lemma_.lower(), event, " ".join(t.text for t in (obj, verb) if t)
        modifier = [
            c for c in noun.children if c.dep_ in ("compound", "amod") and c.pos_ in ("NOUN", "ADJ")
        ]
        if modifier:
            return "", modifier[-1].lemma_.lower(), f"{modifier[-1].text} {noun.text}"
    return None


def _pronoun(ent: Span, clause: set[int]) -> str:
    """Whether the clause speaks of someone by a third-person pronoun, possessive or not
    (read from spaCy's morphology, not a word list)."""
    # The clause's tokens only, and the morphology last: it is the slow part.
    doc = ent.doc
    found = [
        t
        for t in (doc[i] for i in sorted(clause))
        if t.pos_ == "PRON" and t.morph.get("Person", []) == ["3"]
        and t.morph.get("PronType", []) == ["Prs"] and not _bound(t, ent)
    ]  # fmt: skip
    if any(t.morph.get("Poss", []) == ["Yes"] for t in found):
        return "possessive"
    return "personal" if found else ""


def _bound(pronoun: Token, ent: Span) -> bool:
    """Whether a plural possessive speaks of the figure's own plural subject ("300 people
    lost their lives", "9,000 families fled their homes"), not of someone else."""
    root = ent.root
    possessive = pronoun.morph.get("Poss", []) == ["Yes"]
    if possessive and any(
        c.dep_ == "prep" and c.lower_ == "of" and root in c.subtree for c in pronoun.head.children
    ):
        return True  # "its count of 43 dead": who counted, not what is counted
    subject = root.head if root.dep_ == "nummod" and root.head.pos_ in _NOUNS else root
    return (
        possessive
        and pronoun.morph.get("Number", []) == ["Plur"]
        and subject.dep_ in ("nsubj", "nsubjpass")
        and (subject.tag_ in ("NNS", "NNPS") or subject is root)
    )


def _about(ent: Span, inside: set[int]) -> frozenset[str]:
    """The named people and places in the clause that holds the figure, and no further."""
    return frozenset(
        _name_key(e.text)
        for e in ent.doc.ents
        if e.label_ in _NAMED and all(t.i in inside for t in e)
    )


def _where(ent: Span) -> frozenset[str]:
    """Where it happened, when the text names no place: "died in the camps", "killed near
    the border". Not the figure's own noun: "stood at 310 people" says how many, not where."""
    head = _clause_head(ent)
    own = _own(ent)
    return frozenset(
        obj.lemma_.lower()
        for prep in head.children
        if prep.dep_ == "prep" and prep.lower_ in _WHERE
        for obj in prep.children
        if obj.dep_ == "pobj"
        and obj.ent_type_ not in _NAMED
        and obj.pos_ == "NOUN"
        and not own & {t.i for t in obj.subtree}
    )


def _among(ent: Span) -> frozenset[str]:
    """The groups the figure is counted within, said of it, of what it counts or of its
    clause's verb: "among black voters" gives "black voter" (the group's words but its
    article, as lemmas)."""
    return frozenset(
        " ".join(t.lemma_.lower() for t in obj.subtree if t.dep_ not in ("det", "punct"))
        for word in _up_to_clause(ent)
        for prep in word.children
        if prep.dep_ == "prep" and prep.lower_ == "among"
        for obj in prep.children
        if obj.dep_ == "pobj"
    )


def _name_key(name: str) -> str:
    # "America" and "the United States" stay apart; the possessive and article go.
    return re.sub(r"^the\s+|['’]s$", "", name.lower())


# What a percentage or a sum counts when its text says nothing more: its unit.
_PERCENT, _MONEY = "percent", "money"
UNIT_COUNTS = frozenset({_PERCENT, _MONEY})


def _counted(ent: Span) -> tuple[str, str, bool, str]:
    """The noun a figure counts, the predicate it belongs to, and whether it is a share
    ("of whom", "of the dead"): read from the dependency parse."""
    root = ent.root
    label = ent.label_
    counts = ""
    share = False
    noun: Token = root
    if label == "PERCENT":
        counts = _PERCENT
        share = True
    elif label == "MONEY":
        counts = _MONEY
    if root.dep_ in ("nummod", "quantmod", "compound", "amod") and root.head.pos_ in _NOUNS:
        noun = root.head
        if not counts:
            counts = noun.lemma_.lower()
    of = next((c for c in root.children if c.dep_ == "prep" and c.lower_ == "of"), None)
    if of is None and noun is not root:
        of = next((c for c in noun.children if c.dep_ == "prep" and c.lower_ == "of"), None)
    if of is not None:
        obj = next((c for c in of.children if c.dep_ == "pobj"), None)
        if obj is not None and label != "MONEY":
            # A part of a set ("a dozen of the dead were theirs", "two-thirds of whom")
            # is a share; a count whose own verb says what happened to it ("30 of those
            # aboard had died") is a toll of that verb.
            counted_by_verb = (
                noun is root
                and obj.tag_ not in ("WP", "WDT")
                and _event_token(noun).pos_ == "VERB"
                and not _FRACTION.search(ent.text.lower())
            )
            share = share or (noun is root and not counted_by_verb)
            if obj.pos_ != "PRON" and label == "PERCENT":
                counts = f"{_PERCENT} {obj.lemma_.lower()}"  # "53 percent of voters"
            elif obj.pos_ != "PRON" and (not counts or noun is root):
                counts = obj.lemma_.lower()
    event = _event(noun)
    words = [noun.text if noun is not root else "", event and _event_token(noun).text]
    return counts, event, share, " ".join(w for w in words if w)


def _event(token: Token) -> str:
    """The lemma of the nearest predicate above a figure: the verb (or adjective, "dead")
    it is subject or object of; "" for none, or a verb as empty as "be"."""
    head = _event_token(token)
    return head.lemma_.lower() if head is not token and head.lemma_.lower() not in STOP else ""


def _event_token(token: Token) -> Token:
    head = token
    for _ in range(4):
        if head.dep_ in ("ROOT",) or head.head.i == head.i:
            break
        head = head.head
        if head.pos_ in ("VERB", "ADJ") or (head.pos_ == "AUX" and head.dep_ != "aux"):
            return _complement(head, token)
    return token


def _complement(head: Token, token: Token) -> Token:
    """What a copula or a verb says of the figure, not the verb itself: "1,800 were
    missing", "40 are dead" (the adjective or participle after a copula), "were confirmed
    dead", "were reported missing" (a verb's predicative complement); else the predicate
    as found."""
    deps = ("acomp", "attr", "oprd") if head.pos_ == "AUX" else ("oprd",)
    said = [
        c
        for c in head.children
        if c.dep_ in deps and c.pos_ in ("ADJ", "VERB") and token not in c.subtree
    ]
    if not said and head.pos_ == "AUX":
        # "150 people were on board", "40 were in hospital": where they were is what the
        # copula says of them.
        said = [
            o
            for c in head.children
            if c.dep_ == "prep" and token not in c.subtree
            for o in c.children
            if o.dep_ == "pobj" and o.pos_ == "NOUN"
        ]
    return said[0] if said else head


_DATE_SETTINGS = {"PREFER_DATES_FROM": "past", "REQUIRE_PARTS": ["day", "month"]}
_MONTH_NAME = re.compile(
    r"\b(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)(?:[a-z]+|\b\.?)"
)
_ABBREVIATED = re.compile(r"\b([A-Z][a-z]{2,3})\.")  # "Feb." trips the search; "Feb" does not
_LEADING_WORDS = re.compile(r"^(?:\w+\s+)+?(?=[A-Z0-9])")


def dates(text: str, published: str | None = None) -> list[tuple[str, date]]:
    """The dates with a day and month named in `text` (as worded, as a date), read relative
    to `published`: "on Feb. 14", "a Jan. 13 estimate". Weekdays and relative words
    ("Monday", "yesterday") are left out: they need a calendar the article does not give."""
    settings: dict[str, object] = dict(_DATE_SETTINGS)
    if published:
        settings["RELATIVE_BASE"] = datetime.fromisoformat(published)
    # The search is slow on long text (0.2 s a sentence): it reads only the stretch around
    # each month name, where a date with a day can be.
    windows = [
        _ABBREVIATED.sub(r"\1", text[max(0, m.start() - 12) : m.end() + 14])
        for m in _MONTH_NAME.finditer(text)
    ]
    found = [
        hit for w in windows for hit in search_dates(w, languages=["en"], settings=settings) or []
    ]
    out: list[tuple[str, date]] = []
    for worded, _ in found:
        if not re.search(r"\d", worded):
            continue
        # The search takes leading words into the date ("a Jan 13" read as 2013); the
        # date alone, parsed again, is read right.
        bare = _LEADING_WORDS.sub("", worded)
        when = dateparser.parse(bare, languages=["en"], settings=settings)
        if when is not None:
            out.append((bare, when.date()))
    return out


_MONTH_OR_DAY = re.compile(
    r"\b(?:January|February|March|April|June|July|August|September|October|November|December"
    r"|(?:Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec)\b\.?"
    # "May" the month, not the verb: before a day, or after "in", "of", "since"...
    r"|May(?=\s+\d)|(?:(?<=in )|(?<=of )|(?<=since )|(?<=until )|(?<=early ))May\b)"
    r"|\b(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day\b"
)


def date_words(text: str) -> dict[str, str]:
    """Months and weekdays named in `text`, by a key ("feb", "thu"), as worded: what a
    sentence must share with the text it cites, whole dates or not."""
    return {m.group()[:3].lower(): m.group().rstrip(".") for m in _MONTH_OR_DAY.finditer(text)}
