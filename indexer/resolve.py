"""Found attributions made `Claim` records, whichever extractor found them (the rules of
`indexer.claims` or the learned tagger): claimants that are pronouns, descriptions,
acronyms or bare surnames resolved to the named entity the article introduced in its
prose, and reporting chains added (a claim inside another claim's content, "X said ...,
local media reported", is relayed by that claimant, then by the outlet).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import replace
from functools import lru_cache

from gender_guesser.detector import Detector
from spacy.tokens import Doc, Token
from spacy.tokens import Span as SpacySpan

from indexer.claims import (
    ACRONYM_DEFINED,
    AGENT_PREPS,
    DEFINITE,
    DETERMINERS,
    GROUP_LABELS,
    GROUP_PRONOUNS,
    HEAD_SYNONYMS,
    PERSON_PRONOUNS,
    SUBJECT_DEPS,
    Found,
    LearnedCues,
    entity_text,
    find_claims,
    front_matter,
    headline_lines,
    noun_phrase,
    publisher_of,
    quote_spans,
    trim_span,
)
from indexer.models import UNKNOWN_CLAIMANT, Article, Claim, Sentence, Span


def extract_claims(
    doc: Doc, sentences: list[Sentence], article: Article, *, cues: LearnedCues | None = None
) -> list[Claim]:
    """All attributions in `article` by the rules, in text order, with claimants resolved;
    `cues` replaces the shipped learned lexicon (the cue learner's cross-validation passes
    its own)."""
    return resolve_claims(find_claims(doc, article.text, cues=cues), doc, sentences, article)


def resolve_claims(
    found: list[Found], doc: Doc, sentences: list[Sentence], article: Article
) -> list[Claim]:
    """`Claim` records for found attributions (from the rules or the learned tagger):
    claimants resolved to the names the article introduced, reporting chains added."""
    text = article.text  # equal to doc.text, which spaCy rebuilds on every access
    resolver = _Resolver(doc, text)
    starts = [s.start for s in sentences]
    claims = [
        _claim(f, text, article, resolver, max(bisect_right(starts, f.cue[0]) - 1, 0))
        for f in sorted(found, key=lambda f: f.cue)
    ]
    return _with_reporting_chains(claims, article.outlet)


class _Resolver:
    """Resolves pronouns, descriptions, acronyms and surnames to earlier full names."""

    def __init__(self, doc: Doc, text: str) -> None:
        self.doc = doc
        self.text = text
        # Only names the prose introduces can be what a later "she" or surname refers to:
        # not a headline's words (title case reads as names), nor a dateline's place, nor
        # an entity that is no name at all (a lower-case or common-noun "PERSON").
        outside = self._not_prose()
        ents = [e for e in doc.ents if not any(s <= e.start_char < e_ for s, e_ in outside)]
        self.ents = [
            e
            for e in ents
            if e.label_ in GROUP_LABELS or (e.label_ == "PERSON" and self._is_name(e))
        ]
        self.starts = [e.start_char for e in self.ents]
        # The small model often labels foreign names oddly; any all-proper-noun entity of
        # two or more words may be a person's full name.
        self.full_names = [
            e.text
            for e in ents
            if len(e) > 1 and all(t.pos_ == "PROPN" for t in e) and e.label_ not in GROUP_LABELS
        ]
        # A surname the small model tags as an organisation or a place ("Trump", "Christie",
        # "DuVernay") is still the person whose full name the article gives.
        self.surnames = {
            e.text.split()[-1]
            for e in ents
            if e.label_ == "PERSON" and self._is_name(e) and len(e) > 1
        }
        self.acronyms = self._acronyms()
        self.quotes = quote_spans(text)
        self.sentence_starts = [s.start for s in doc.sents]
        # (position, head lemma, plural, name)
        self.described: list[tuple[int, str, bool, str]] = []

    @staticmethod
    def _is_name(ent: SpacySpan) -> bool:
        """Whether a PERSON entity is written as a name: capitalised, a proper noun."""
        words = [t for t in ent if t.is_alpha]
        return bool(words) and ent.root.pos_ == "PROPN" and all(t.text[0].isupper() for t in words)

    def _not_prose(self) -> list[tuple[int, int]]:
        return front_matter(self.text) + headline_lines(self.text)

    def _acronyms(self) -> dict[str, str]:
        # "Seoul's National Intelligence Service (NIS)" names NIS.
        found: dict[str, str] = {}
        for m in ACRONYM_DEFINED.finditer(self.text):
            before = [e for e in self.ents if 0 <= m.start() - e.end_char <= 2]
            if before:
                found.setdefault(m.group(1), before[-1].text)
        return found

    def name(self, mention: SpacySpan) -> str:
        """The best name for `mention`, falling back to its own words."""
        name = self._name(mention)
        if mention.root.pos_ == "NOUN":
            self.described.append(
                (mention.start_char, mention.root.lemma_, _plural(mention.root), name)
            )
        return name

    def _name(self, mention: SpacySpan) -> str:
        head = mention.root
        lower = head.lower_
        if head.tag_ in ("WP", "WDT") and head.head.dep_ == "relcl":
            # "Aguilar, who said ...": the relative clause's noun is the claimant.
            antecedent = head.head.head
            publisher = publisher_of(antecedent)
            if publisher:
                return self.acronyms.get(publisher, publisher)
            return self._name(noun_phrase(antecedent, core_only=True))
        before = self.doc[head.i - 1] if head.i else None
        if head.tag_ in ("WP", "WDT") and before is not None and before.pos_ in ("NOUN", "PROPN"):
            # "the Police Department which reported ...", its clause misparsed: the noun
            # just before a relative pronoun is what it stands for.
            return self._name(noun_phrase(before, core_only=True))
        if head.pos_ == "PRON" and lower in PERSON_PRONOUNS:
            found = self._recent(mention.start_char, {"PERSON"}, _PRONOUN_SEX.get(lower))
            return found or mention.text
        if head.pos_ == "PRON" and lower in GROUP_PRONOUNS:
            return self._recent(mention.start_char, GROUP_LABELS - {"GPE"}) or mention.text
        if head.text in self.acronyms:
            return self.acronyms[head.text]
        if head.pos_ == "PROPN":
            return self._full_name(entity_text(head))
        publisher = publisher_of(head, AGENT_PREPS) if head.pos_ == "NOUN" else None
        if publisher and publisher[:1].isupper():
            # "an analysis by Lily Batchelder": the named author or outlet is the source.
            return self._full_name(self.acronyms.get(publisher, publisher))
        # "The official" is someone described before; "an official" is someone new.
        if mention[0].lower_ in DEFINITE and head.pos_ == "NOUN":
            found = self._described_as(mention, head)
            if found:
                return found
        words = [t for t in mention if not (t.i == mention.start and t.lower_ in DETERMINERS)]
        return _strip(self.text[words[0].idx : mention.end_char]) if words else mention.text

    def _recent(
        self, before: int, labels: set[str] | frozenset[str], sex: str | None = None
    ) -> str | None:
        """The entity of one of `labels` last named before `before`; for "she" or "he"
        (`sex`), the last person whose name or title does not say the other ("she" after
        "Bill Clinton" and "Hillary Clinton" is Hillary Clinton's)."""
        fallback: str | None = None
        quoted = self._quote_at(before)
        here = self.doc.char_span(before, before + 1, alignment_mode="expand")
        sentence = here.sent.start if here is not None else len(self.doc)
        for ent in reversed(self.ents[: bisect_right(self.starts, before - 1)]):
            person = ent.label_ == "PERSON" or ("PERSON" in labels and ent.text in self.surnames)
            if not (person or ent.label_ in labels) or ent.end_char > before:
                continue
            if not person:
                return ent.text
            # A name inside a quotation is the speaker's words, not the speaker: "“There is
            # no chance Hillary Clinton will withdraw,” he said".
            if self._quote_at(ent.start_char) not in (None, quoted):
                continue
            title = self.doc[ent.start - 1].lower_.rstrip(".") if ent.start else ""
            if sex is not None and _TITLE_SEX.get(title, sex) != sex:
                continue
            name = self._full_name(ent.text, sex)
            if sex is None:
                return name
            if _sex(name) not in (None, sex) or not self._said_of(ent.text, sex):
                continue
            # A subject of the last sentences is what "he" or "she" goes on about
            # ("Christie ... blasted Clinton. '...,' he said"); a name only mentioned, an
            # object, is taken when no subject agrees.
            if (
                ent.root.dep_ in SUBJECT_DEPS
                and self._sentences_back(ent, sentence) <= _SALIENT_SENTENCES
            ):
                return name
            fallback = fallback or name
        return fallback

    def _said_of(self, name: str, sex: str) -> bool:
        """Whether no full name of the article that `name` is part of says the other sex
        ("Clinton" where only "Bill Clinton" is named is not "she")."""
        fulls = self._fuller(name)
        return not fulls or any(_sex(f) in (None, sex) for f in fulls)

    def _fuller(self, name: str) -> list[str]:
        """The article's full names that end or start with `name` ("Budanov": "Kyrylo
        Budanov")."""
        words = _strip(name).split()
        return [
            full
            for full in self.full_names
            if words
            and len(full.split()) > len(words)
            and (full.split()[-len(words) :] == words or full.split()[: len(words)] == words)
        ]

    def _quote_at(self, offset: int) -> tuple[int, int] | None:
        return next((q for q in self.quotes if q[0] <= offset < q[1]), None)

    def _sentences_back(self, ent: SpacySpan, sentence_start: int) -> int:
        starts = self.sentence_starts
        return bisect_right(starts, sentence_start) - bisect_right(starts, ent.start)

    def _full_name(self, name: str, sex: str | None = None) -> str:
        # "Budanov" -> "Kyrylo Budanov": the longest name that ends or starts with it (of
        # those that do not say the other sex, when a pronoun asks for one).
        best = " ".join(_strip(name).split())
        for full in self._fuller(name):
            if len(full) > len(best) and (sex is None or _sex(full) in (None, sex)):
                best = full
        return _strip(best)

    def _described_as(self, mention: SpacySpan, head: Token) -> str | None:
        # "the official" -> the claimant last described with that noun; "the spy agency"
        # -> the most recent organisation whose name fits the noun and its modifiers.
        # A description holding a name ("the Harbor Institute survey") says whose it is: it
        # is no earlier one whose name lacks those words.
        named = {t.lower_ for t in mention if t.i < head.i and t.pos_ == "PROPN"}
        for _, lemma, plural, name in reversed(self.described):
            # "the analyses" are not the one "analysis by Lily Batchelder" before them.
            if (
                lemma == head.lemma_
                and plural == _plural(head)
                and name.split()[-1].lower() != head.lower_
                and named <= set(re.findall(r"[\w.&-]+", name.lower()))
            ):
                return name
        wanted = HEAD_SYNONYMS.get(head.lemma_, frozenset({head.lemma_}))
        modifiers = [t for t in mention if t.i < head.i and t.lower_ not in DETERMINERS]
        for ent in reversed(self.ents[: bisect_right(self.starts, mention.start_char - 1)]):
            words = {t.lower_ for t in ent}
            fits = all(
                m.lower_ in words or HEAD_SYNONYMS.get(m.lower_, frozenset()) & words
                for m in modifiers
            )
            if ent.label_ == "ORG" and words & wanted and fits:
                return _strip(ent.text)
        return None


# How far back a subject may be what "he" or "she" refers to, in sentences; farther, or
# with no subject agreeing, the last name that agrees.
_SALIENT_SENTENCES = 3
# The sex a third-person pronoun or a title says ("she", "Mrs."), for agreement only.
_PRONOUN_SEX = {"he": "male", "him": "male", "she": "female", "her": "female"}
_TITLE_SEX = {"mr": "male", "mrs": "female", "ms": "female", "miss": "female"}


@lru_cache(maxsize=1)
def _names_by_sex() -> Detector:
    return Detector(case_sensitive=False)


@lru_cache(maxsize=4096)
def _sex(name: str) -> str | None:
    """ "male" or "female" when a full name's first name is given to one sex only (by
    gender-guesser's table of first names in use, not its "mostly" or "andy" ones);
    None for a surname alone or any first name not so clear."""
    words = name.split()
    if len(words) < 2:
        return None
    sex = _names_by_sex().get_gender(words[0])
    return sex if sex in ("male", "female") else None


def _strip(name: str) -> str:
    # A lower-case "the" is not part of the name ("the Daily Ledger").
    name = name.strip(" ,;:'’\"“”").removeprefix("the ")
    return name[:-2] if name.endswith(("'s", "’s")) else name


def _claim(f: Found, text: str, article: Article, resolver: _Resolver, sentence: int) -> Claim:
    subject = _whole(f.subject) if f.subject is not None else None
    mention = _mention_span(subject, text) if subject is not None else None
    if f.claimant_text:
        claimant = _strip(f.claimant_text)
    elif subject is not None:
        claimant = resolver.name(subject)
    else:
        claimant = UNKNOWN_CLAIMANT
    via = resolver.name(f.addressee) if f.kind == "told" and f.addressee is not None else None
    reported = (via,) if via and f.addressee is not None and _is_org(f.addressee) else ()
    return Claim(
        article_id=article.id,
        sentence_idx=sentence,
        claimant=claimant,
        claimant_mention=mention,
        cue=Span(f.cue[0], f.cue[1], text[f.cue[0] : f.cue[1]]),
        content=Span(f.content[0], f.content[1], text[f.content[0] : f.content[1]]),
        kind=f.kind,
        reported_by=reported,
        published=article.published,
    )


def _whole(subject: SpacySpan) -> SpacySpan:
    """A source span holding only words that modify a noun outside it ("The" of "The Daily
    Caller", as a tagger may cut it) widened to that noun's phrase; others as they are."""
    root = subject.root
    if root.pos_ in ("NOUN", "PROPN", "PRON") or root.head.pos_ not in ("NOUN", "PROPN"):
        return subject
    if root.dep_ not in ("det", "compound", "amod", "poss", "nummod") or root.head.i < root.i:
        return subject
    return noun_phrase(root.head, core_only=True)


def _plural(token: Token) -> bool:
    return token.tag_ in ("NNS", "NNPS")


def _is_org(span: SpacySpan) -> bool:
    return span.root.ent_type_ == "ORG"


def _mention_span(subject: SpacySpan, text: str) -> Span | None:
    trimmed = trim_span(text, (subject.start_char, subject.end_char))
    if trimmed is None:
        return None
    return Span(trimmed[0], trimmed[1], text[trimmed[0] : trimmed[1]])


def _with_reporting_chains(claims: list[Claim], outlet: str | None) -> list[Claim]:
    """Add the claimants whose content holds a claim, innermost first, then the outlet."""
    result: list[Claim] = []
    for claim in claims:
        holders = sorted(
            (
                c
                for c in claims
                if c.claimant != claim.claimant
                and c.has_claimant  # a relay nobody is named for is no link in a chain
                and c.content.start <= claim.cue.start < c.content.end
                and c.content.end - c.content.start > claim.content.end - claim.content.start
            ),
            key=lambda c: c.content.end - c.content.start,
        )
        chain = [*claim.reported_by, *(c.claimant for c in holders)]
        if outlet:
            chain.append(outlet)
        result.append(replace(claim, reported_by=_unique(chain)))
    return result


def _unique(names: list[str]) -> tuple[str, ...]:
    seen: list[str] = []
    for name in names:
        key = _key(name)
        if all(_key(s) != key for s in seen):
            seen.append(name)
    return tuple(seen)


def _key(name: str) -> str:
    words = name.lower().split()
    return " ".join(words[1:] if words and words[0] == "the" else words)
