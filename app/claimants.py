"""Who a question asks about, and whether two ways of writing a name mean the same one.

Names are written many ways: "Zelensky", "Zelenskiy" and "Zelenskyy"; "WHO" and "World
Health Organization"; "Budanov" and "Ukraine's military intelligence chief Kyrylo
Budanov". A name is compared by its tokens, transliterated to ASCII and folded
(`canonical`), each wanted token found in the other name by rapidfuzz's ratio, an
acronym by the initials of the other name, and a description by the words the article
puts around the name (`aliases_in`).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from anyascii import anyascii
from rapidfuzz import fuzz
from spacy.tokens import Doc, Span

from indexer.claims import TITLE_WORDS
from indexer.models import Claim

_SPEECH = (
    r"say|says|said|claim|claims|claimed|think|thinks|tell|told|report|reported|estimate|"
    r"estimated|deny|denied|announce|announced|state|stated|believe|believes|write|wrote|"
    r"warn|warned|confirm|confirmed|argue|argued|mean|make of|predict|predicted"
)
# The places a claimant's name takes in a question: "what did X say", "according to X",
# "X said ...?" (a yes/no question about a claim).
_CLAIMANT_SLOTS = (
    re.compile(
        rf"\b(?:did|does|do|has|have|had|would|will)\s+(?P<who>[\w'’. -]{{2,80}}?)\s+(?:{_SPEECH})\b",
        re.IGNORECASE,
    ),
    re.compile(
        r"\baccording to\s+(?P<who>[\w'’. -]{2,80}?)\s*(?:[,?;:]|$|\b(?:about|on|how|what|who|did|is|are|was|were)\b)",
        re.IGNORECASE,
    ),
    re.compile(rf"^(?:is it true that\s+)?(?P<who>[A-Z][\w'’. -]{{1,80}}?)\s+(?:{_SPEECH})\b"),
)
_NOT_A_NAME = frozenset(
    "what who whom which how why when where did does do is are was were anyone they he she it".split()  # noqa: SIM905
)
_ABOUT_CLAIMS = re.compile(
    r"\b(?:who|whom|say|says|said|saying|claim|claims|claimed|told|tell|according|deny|"
    r"denies|denied|estimate|estimated|report|reported|reports|think|believe|statement|"
    r"announce|announced|warn|warned|confirm|confirmed|source|sources|agree|disagree)\b",
    re.IGNORECASE,
)
# Words that do not tell one bearer of a name from another: articles and glue, and titles
# beside a name ("President Zelensky"; "the mayor" alone is a description).
_NOISE = frozenset({"the", "of", "a", "an", "and", "for", "s"})
# Generational suffixes do: "Trump Jr." is not "Trump".
_SUFFIXES = frozenset({"jr", "sr", "ii", "iii", "iv"})
# Spelling differences that transliterations of one name show (Zelenskyy/Zelenskiy,
# Qaddafi/Kadhafi, Navalny/Navalnyy): folded away before comparing.
_FOLDS = (("kh", "h"), ("dh", "d"), ("ph", "f"), ("q", "k"), ("y", "i"), ("j", "i"))
_DOUBLE = re.compile(r"(.)\1+")
# Two folded tokens this close (rapidfuzz ratio, 0-100) are one name spelled two ways:
# an inserted or dropped letter in a long name passes, a changed letter does not
# ("Clinton" is not "Clifton").
MIN_RATIO = 90.0
_ACRONYM = re.compile(r"^[A-Z]{2,6}$")
_DOTTED = re.compile(r"\b(?:[A-Z]\.){2,}")  # "F.B.I.", "U.N."
_VOWELS = re.compile(r"[aeiou]")
_OPENERS = frozenset({"this", "that", "these", "those", "one", "some", "another"})
_PRONOUNS = frozenset("he she it they we i you him her them us me who which that".split())  # noqa: SIM905
_PREPOSITION = re.compile(r"\s+(?:from|for|of|at|in|with|on|to|by)\s+", re.IGNORECASE)
_SKELETON_MIN = 6
_ENTITY_LABELS = frozenset({"PERSON", "ORG", "NORP", "GPE"})


def asks_about_claims(question: str) -> bool:
    """Whether the question is about who said what rather than about bare facts."""
    return bool(_ABOUT_CLAIMS.search(question))


def names_in_question(question: str) -> list[str]:
    """Names or descriptions in the claimant's place of the question ("Budanov",
    "Ukraine's military intelligence chief", "the spy agency")."""
    names: list[str] = []
    for slot in _CLAIMANT_SLOTS:
        for m in slot.finditer(question.strip()):
            name = m.group("who").strip(" ,.")
            first = name.split()[0].lower()
            if tokens(name) and first not in _NOT_A_NAME:
                names.append(name)
    return list(dict.fromkeys(names))


def canonical(word: str) -> str:
    """A name token folded for comparison: ASCII, lower case, transliteration variants
    and doubled letters collapsed."""
    folded = re.sub(r"[^a-z0-9]", "", anyascii(word).lower())
    for old, new in _FOLDS:
        folded = folded.replace(old, new)
    return _DOUBLE.sub(r"\1", folded)


@dataclass(frozen=True)
class _Name:
    tokens: tuple[str, ...]  # canonical, noise and suffixes left out
    possessors: tuple[str, ...]  # "ukraine" in "Ukraine's president"
    with_titles: tuple[str, ...]  # all tokens, possessors and titles before names too
    suffixes: frozenset[str]
    initials_used: frozenset[str]  # single letters: "J" in "Donald J. Trump", "H. W."
    acronyms: frozenset[str]  # as written, upper case ("WHO", "NIS")
    initials: str  # of the capitalised words: "World Health Organization" -> "WHO"


@lru_cache(maxsize=8192)  # the conflict finder compares every pair of claimants
def _parse(name: str) -> _Name:
    name = anyascii(name)
    initials_used = frozenset(re.findall(r"\b[A-Z]\b", name))
    name = _DOTTED.sub(lambda m: m.group(0).replace(".", ""), name)
    possessors = _canonical_tokens(re.findall(r"([^\W_]+)'s?\b", name))
    words = re.findall(r"[^\W_]+", re.sub(r"'s\b", "", name))
    every = [w for w in words if w.lower() not in _NOISE]
    # A title before a name is not part of it ("President Zelensky"); "the president" is.
    kept = [
        w
        for w, after in zip(every, [*every[1:], ""][: len(every)], strict=True)
        if not (w.lower() in TITLE_WORDS and after[:1].isupper())
    ]
    capitalised = [w for w in kept if w[0].isupper() and not _ACRONYM.match(w)]
    return _Name(
        tokens=tuple(t for t in _canonical_tokens(kept) if t not in possessors),
        possessors=possessors,
        with_titles=_canonical_tokens(every),
        suffixes=frozenset(w.lower() for w in kept if w.lower() in _SUFFIXES),
        initials_used=initials_used,
        acronyms=frozenset(w for w in kept if _ACRONYM.match(w)),
        initials="".join(w[0] for w in capitalised).upper(),
    )


def _canonical_tokens(words: list[str]) -> tuple[str, ...]:
    return tuple(canonical(w) for w in words if w.lower() not in _SUFFIXES and len(w) > 1)


def tokens(name: str) -> set[str]:
    """The canonical tokens that identify a name ("President Zelenskyy" -> {"zelenski"})."""
    parsed = _parse(name)
    return {*parsed.tokens, *parsed.possessors}


def _token_in(token: str, have: Iterable[str]) -> bool:
    return any(_same_token(token, h) for h in have)


def _same_token(a: str, b: str) -> bool:
    if a == b:
        return True
    # Letters added at the end make another word: "Russian" is not "Russia", "Korean" not
    # "Korea" (a transliteration's final letters are folded away already).
    if min(len(a), len(b)) < 5 or a.startswith(b) or b.startswith(a):
        return False
    if fuzz.ratio(a, b) >= MIN_RATIO:
        return True
    # Transliterations disagree mostly on vowels (Hezbollah/Hizbollah, Gorbachev/
    # Gorbachov); a long name with the same consonants and the same last letter is one
    # name. The last letter keeps Zelensky from Zelenska.
    return min(len(a), len(b)) >= _SKELETON_MIN and a[-1] == b[-1] and _skeleton(a) == _skeleton(b)


def _skeleton(word: str) -> str:
    return _VOWELS.sub("", word.replace("x", "ks"))


def _covers(wanted: _Name, have: _Name) -> bool:
    """Every token of `wanted` is in `have`, an acronym standing for its initials."""
    if wanted.suffixes != have.suffixes:
        return False
    # A middle initial may be left out, not changed ("George H. W. Bush", "George W. Bush").
    if wanted.initials_used and have.initials_used and wanted.initials_used != have.initials_used:
        return False
    rest = [t for t in wanted.tokens if not _token_in(t, have.with_titles)]
    # "Ukraine's president" is "President Zelensky", not "Russia's president": whose a
    # role is need not be said, but must not differ.
    if have.possessors and not all(_token_in(p, have.with_titles) for p in wanted.possessors):
        return False
    for acronym in wanted.acronyms:
        if acronym not in have.acronyms and acronym != have.initials:
            return False
        rest = [t for t in rest if t != canonical(acronym)]
    if not wanted.tokens and not wanted.acronyms:
        return False
    # A full name may be asked for by its acronym ("World Health Organization" for "WHO").
    return not rest or (len(wanted.tokens) > 1 and wanted.initials in have.acronyms)


def same_name(a: str, b: str) -> bool:
    """Whether `a` names whom `b` names: the shorter is found in the longer ("Zelensky" in
    "Volodymyr Zelenskyy"), whichever is written as an acronym."""
    pa, pb = _parse(a), _parse(b)
    return _covers(pa, pb) or _covers(pb, pa)


def may_name(who: str, name: str) -> bool:
    """Whether `who`, as an answer sentence attributes a claim, can be the claimant `name`.
    Strict on names, which an answer may not swap: the names it writes ("Clinton" in
    "Clinton now says") must be `name`. Lenient on the rest, which it may word its own way:
    a pronoun or a stray quotation mark may be anyone, and a description needs only its
    head noun in the name or its mention ("an official from Seoul's spy agency" for
    "official for the National Intelligence Agency")."""
    words = [w for w in re.findall(r"[^\W_]+", anyascii(who)) if w.lower() not in _PRONOUNS]
    if not words:
        return True
    if same_name(who, name):
        return True
    head = _PREPOSITION.split(who, maxsplit=1)[0]
    # Capitalised words are names ("The" and "One" only open the sentence); a possessor
    # ("Seoul's") only says whose.
    names = [
        w
        for w in re.findall(r"[^\W_]+(?!['’])\b", head)
        if w[:1].isupper() and w.lower() not in _NOISE | _OPENERS
    ]
    if names:
        return same_name(" ".join(names), name)
    wanted = _parse(head)
    return bool(wanted.tokens) and _token_in(wanted.tokens[-1], _parse(name).with_titles)


def aliases_in(doc: Doc) -> dict[str, set[str]]:
    """Each named entity's descriptions in the article: the words of its noun phrase
    around the name ("Ukraine's military intelligence chief Kyrylo Budanov", "Budanov,
    the intelligence chief,") and an acronym given after it ("World Health Organization
    (WHO)"), keyed by the entity's text."""
    found: dict[str, set[str]] = defaultdict(set)
    for ent in doc.ents:
        if ent.label_ not in _ENTITY_LABELS:
            continue
        for words in _descriptions(ent):
            found[ent.text].add(words)
    return dict(found)


def _descriptions(ent: Span) -> Iterable[str]:
    doc, root = ent.doc, ent.root
    # The noun phrase the name heads, less the name and a leading determiner.
    left = [t for t in root.subtree if t.i < ent.start and t.dep_ != "det" and not t.is_punct]
    if left and left[-1].i == ent.start - 1:
        yield doc[left[0].i : ent.start].text
    for child in root.children:
        if child.dep_ == "appos":
            yield _without_determiner(doc[child.left_edge.i : child.right_edge.i + 1])
    if root.dep_ == "appos" and root.head.pos_ in ("NOUN", "PROPN"):
        head = root.head
        yield _without_determiner(doc[head.left_edge.i : head.i + 1])
    after = doc[ent.end : ent.end + 3]
    if len(after) == 3 and after[0].text == "(" and after[2].text == ")":
        yield after[1].text


def _without_determiner(span: Span) -> str:
    return span[1:].text if len(span) > 1 and span[0].dep_ == "det" else span.text


def matches(name: str, candidate: str, aliases: dict[str, set[str]] | None = None) -> bool:
    """Whether `name` (a name or a description) names `candidate`, directly or through one
    of the descriptions the article gives for it."""
    if same_name(name, candidate):
        return True
    wanted = _parse(name)
    return any(
        _covers(wanted, _parse(alias))
        for entity, found in (aliases or {}).items()
        if same_name(entity, candidate)
        for alias in found
    )


def names_match(name: str, claim: Claim) -> bool:
    """Whether `name` names the claim's claimant, or the words the text uses for them
    ("Ukraine's military intelligence chief" in "Ukraine's military intelligence chief
    Kyrylo Budanov said")."""
    if same_name(name, claim.claimant):
        return True
    mention = claim.claimant_mention
    return mention is not None and _covers(_parse(name), _parse(mention.text))
