"""Rule-based attribution extraction: who claimed what, over the spaCy parse of an article.

A claim is anchored on a cue (a reporting verb such as "said", or "according to"); the
dependency parse gives its claimant (the verb's subject) and its content (the clausal
complement), and quotation marks give the content of direct quotes the parser splits. The attributions
found here (`Found`) become claims, with their claimants resolved, in `indexer.resolve`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

from spacy.tokens import Doc, Token
from spacy.tokens import Span as SpacySpan

from indexer.split import DATE_TOKEN


def _words(words: str) -> frozenset[str]:
    return frozenset(words.split())


# The cue-verb lexicon. Every cue takes a clause or an adjacent quotation as content;
# SPEECH verbs also take a said-thing object ("denied reports that ..."), OBJECT_CUES any
# object ("endorsed Cruz", "called the law a disgrace"), XCOMP_CUES an infinitive ("wants
# to build", "declined to comment"), as PolNeAR annotates stances as attributions too.
SPEECH = _words(
    """say tell claim report confirm warn note add believe argue insist announce write
    state declare explain suggest acknowledge admit allege assert contend maintain stress
    emphasize emphasise reveal indicate mention observe remark reply respond tweet post
    testify predict promise vow pledge think conclude recall complain agree ask question
    wonder caution concede boast joke charge speculate recommend urge demand propose hint
    imply reiterate repeat worry fear hope expect feel find show know understand
    doubt realize realise disclose affirm assure inform signal decide continue describe
    deny dispute reject refute dismiss estimate assess calculate forecast project
    guess figure insist acknowledge recognize recognise suspect learn hear read
    """
)
OBJECT_CUES = _words(
    """deny dispute reject confirm announce predict estimate cite want support endorse
    criticize criticise back oppose praise blame accuse call show propose condemn defend
    welcome applaud attack blast slam question describe recommend favor favour dismiss
    demand mock tout hail decry denounce characterize characterise label dub
    """
)
XCOMP_CUES = _words(
    """want plan hope decline refuse seek intend promise vow pledge threaten agree urge
    ask expect claim prefer wish"""
)
# Verbs that introduce a quotation standing next to them ("“...,” she added").
QUOTE_VERBS = _words(
    """say tell add write tweet post explain ask reply respond continue note argue claim
    insist warn declare announce recall joke boast complain state observe remark testify
    repeat reiterate concede admit acknowledge caution counter quip shout scream yell
    whisper muse conclude predict promise vow pledge confirm deny report describe
    suggest urge demand"""
)
# Adjectives that report a stance when they take a clause ("is confident that ...").
ADJ_CUES = _words(
    """sure aware confident convinced certain worried concerned hopeful optimistic
    skeptical sceptical adamant unaware afraid"""
)
# Verbs whose content is the object of a preposition ("called for a ban", "voted for
# Sanders", "pointed to the polls").
PREP_CUES: dict[str, frozenset[str]] = {
    **dict.fromkeys(["call", "push", "advocate", "press"], frozenset({"for"})),
    **dict.fromkeys(["vote", "campaign", "argue"], frozenset({"for", "against"})),
    **dict.fromkeys(["point", "refer", "object", "respond", "react"], frozenset({"to"})),
    **dict.fromkeys(["agree", "disagree", "side"], frozenset({"with"})),
    **dict.fromkeys(["focus", "comment", "insist"], frozenset({"on"})),
    **dict.fromkeys(["speak", "talk", "complain", "testify"], frozenset({"about", "of"})),
    "warn": frozenset({"about", "of", "against"}),
}
CUE_VERBS = SPEECH | OBJECT_CUES | XCOMP_CUES | frozenset(PREP_CUES)
# What follows an object cue's object and belongs to the stance: "called the ban in
# December after ...", "attacked Clinton during the primaries for ...".
OBJECT_TAIL_DEPS = frozenset(
    {"prep", "npadvmod", "advmod", "advcl", "xcomp", "oprd", "dative", "ccomp"}
)
# Marks of a content clause; "as", "while", "because" mark circumstances.
COMPLEMENTIZERS = frozenset({"that", "whether", "if"})
CIRCUMSTANCE_MARKS = frozenset({"as", "when", "while", "because", "since", "after", "before"})
# Prepositions that give the circumstances of a stance, not its content ("endorsed Clinton
# during a call", "has supported unity since the 1950s").
CIRCUMSTANCE_PREPS = frozenset({"during", "since", "after", "before", "at"})
# Kinds by lemma; other speech verbs are "indirect" ("direct" when the content is a
# quotation), other stance verbs "other".
CUE_KINDS: dict[str, str] = {
    "tell": "told",
    **dict.fromkeys(["deny", "dispute", "reject", "refute", "dismiss"], "denial"),
    **dict.fromkeys(["estimate", "assess", "calculate", "forecast", "project"], "estimate"),
}
# The lemmas of denying verbs: a denial cue, a question about a disagreement.
DENYING = frozenset(lemma for lemma, kind in CUE_KINDS.items() if kind == "denial")
# Objects that are things said, so "said something" / "repeated the claim" carry content.
SAID_THINGS = _words(
    """report reports claim claims allegation allegations thing things something anything
    nothing statement story stories rumor rumors rumour rumours account accounts"""
)
# Titles that are not part of a name ("Mayor Linda Ortiz").
TITLES = _words(
    """mr mr. mrs mrs. ms ms. dr dr. mayor president senator sen. rep. gov. governor
    minister inspector colonel col. gen. general judge justice chief secretary prime
    engineer professor prof. sir lord lady king queen prince"""
)
# The same titles as words, without abbreviation dots ("dr", "sen").
TITLE_WORDS = frozenset(t.rstrip(".") for t in TITLES)
# Nouns that carry an attribution when someone owns them: "Trump's claim that ...",
# "the senator's support for the bill", "a warning from the agency that ...".
NOUN_CUES = _words(
    """claim claims assertion allegation allegations argument belief view views warning
    promise pledge call support endorsement criticism attack attacks opposition
    statement remarks comments comment suggestion insistence denial prediction estimate
    assessment decision proposal plan demand accusation accusations vow hope fear"""
)
# Copulas and light verbs whose predicate noun is a cue ("is a critic of", "made the case").
LIGHT_VERBS = frozenset({"be", "make", "take", "have", "give"})
PREDICATE_DEPS = frozenset({"attr", "dobj", "oprd"})
NOUN_CONTENT_PREPS = frozenset({"for", "of", "on", "against", "to", "about"})
NOUN_SOURCE_PREPS = frozenset({"by", "from"})
# Multi-word prepositions that attribute the rest of the sentence to their object.
ACCORDING_TO = (("according", "to"), ("as", "per"))
# A source phrase headed by one of these ("a report in Yonhap") names its publisher.
REPORT_NOUNS = frozenset(
    [
        "report",
        "statement",
        "article",
        "story",
        "interview",
        "broadcast",
        "estimate",
        "assessment",
        "poll",
        "survey",
        "study",
        "analysis",
    ]
)
PUBLISHER_PREPS = frozenset({"in", "by", "from", "on", "of"})
# Of these, the ones that name who made it ("an analysis by X"), not what it is about ("an
# analysis of super PACs").
AGENT_PREPS = frozenset({"in", "by", "from"})
SUBJECT_DEPS = frozenset({"nsubj", "nsubjpass", "csubj"})
CONTENT_DEPS = ("ccomp", "xcomp", "dobj", "advcl", "parataxis", "oprd")
# Dependency links along which a subject-less cue inherits its head's subject
# ("Budanov denied ..., adding that ...", "X was cited as telling CNN").
INHERIT_DEPS = frozenset({"conj", "advcl", "xcomp", "pcomp", "prep", "ccomp", "acomp"})
PERSON_PRONOUNS = {"he": "PERSON", "she": "PERSON", "him": "PERSON", "her": "PERSON"}
GROUP_PRONOUNS = frozenset({"it", "they"})
DETERMINERS = frozenset({"a", "an", "the", "this", "that", "these", "those"})
DEFINITE = DETERMINERS - {"a", "an"}
# Description head nouns and words that may name the same kind of thing in an entity
# ("the spy agency" -> "National Intelligence Service").
HEAD_SYNONYMS: dict[str, frozenset[str]] = {
    "agency": frozenset({"agency", "service", "intelligence", "bureau", "administration"}),
    "newspaper": frozenset({"times", "post", "journal", "newspaper", "herald", "tribune"}),
    "paper": frozenset({"times", "post", "journal", "newspaper", "herald", "tribune"}),
    "ministry": frozenset({"ministry", "department"}),
    "department": frozenset({"department", "ministry"}),
    "company": frozenset({"inc", "corp", "company", "group"}),
    "campaign": frozenset({"campaign"}),
    "military": frozenset({"military", "army", "forces"}),
    "spy": frozenset({"intelligence"}),
}
GROUP_LABELS = frozenset({"ORG", "NORP", "GPE"})
# Curly, straight, and the doubled apostrophes some archives use for quotation marks.
_QUOTE_MARK = re.compile(r"“|”|''|\"")
_TRIM = " \t\n,;:.—–-"
ACRONYM_DEFINED = re.compile(r"\(([A-Z][A-Za-z]{1,9})\)")


LEARNED_CUES_PATH = Path(__file__).parent / "data" / "cues.json"


@dataclass(frozen=True)
class LearnedCues:
    """Cue lemmas learned from annotated news (`accordingto eval learn-cues`), by part of
    speech, each with the relations that carry its content: a dependency label of the cue's
    child ("dobj", "xcomp") or "prep:<word>" for the object of a preposition ("prep:for")."""

    verbs: Mapping[str, frozenset[str]] = field(default_factory=dict)
    nouns: Mapping[str, frozenset[str]] = field(default_factory=dict)
    adjectives: Mapping[str, frozenset[str]] = field(default_factory=dict)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> LearnedCues:
        cues: Mapping[str, Mapping[str, Mapping[str, Any]]] = data["cues"]

        def kept(pos: str) -> dict[str, frozenset[str]]:
            return {lemma: frozenset(e["content"]) for lemma, e in cues.get(pos, {}).items()}

        return cls(verbs=kept("VERB"), nouns=kept("NOUN"), adjectives=kept("ADJ"))

    def preps(self, lemma: str, adjective: bool = False) -> frozenset[str]:
        """The prepositions whose object is the content of verb (or adjective) `lemma`."""
        if adjective:
            rels = self.adjectives.get(lemma, frozenset())
            return frozenset(r[5:] for r in rels if r.startswith("prep:"))
        rels = self.verbs.get(lemma, frozenset())
        return PREP_CUES.get(lemma, frozenset()) | {r[5:] for r in rels if r.startswith("prep:")}


@lru_cache(maxsize=1)
def learned_cues() -> LearnedCues:
    """The lexicon shipped in indexer/data/cues.json, read once."""
    if not LEARNED_CUES_PATH.exists():
        raise FileNotFoundError(
            f"{LEARNED_CUES_PATH} is missing; rebuild it with `accordingto eval learn-cues "
            "../shared/data/polnear --split train --out indexer/data/cues.json`."
        )
    return LearnedCues.from_json(json.loads(LEARNED_CUES_PATH.read_text(encoding="utf-8")))


@dataclass(frozen=True)
class Found:
    """A claim before resolution: token-level claimant, char spans for the rest."""

    cue: tuple[int, int]
    content: tuple[int, int]
    kind: str
    subject: SpacySpan | None
    claimant_text: str | None = None
    addressee: SpacySpan | None = None


def find_claims(doc: Doc, text: str, *, cues: LearnedCues | None = None) -> list[Found]:
    """The rules' attributions before their claimants are resolved, in text order."""
    cues = learned_cues() if cues is None else cues
    quotes = quote_spans(text)
    bounds = _sentence_bounds(doc)
    found = sorted(
        _dedupe(
            [
                *_verb_claims(doc, text, quotes, bounds, cues),
                *_according_claims(doc, text, bounds),
                *_colon_claims(doc, text, quotes, bounds),
                *_noun_claims(doc, text, quotes, cues),
                *signed_quotes(doc, text, quotes),
            ]
        ),
        key=lambda f: f.cue,
    )
    found = _split_comma_splices(outside_front_matter(found, doc, text), text)
    found = [*found, *_continued_quotes(text, found, quotes)]
    found.sort(key=lambda f: f.cue)
    return found


def kind_of(doc: Doc, cue: tuple[int, int], content: tuple[int, int], text: str) -> str:
    """The kind of an attribution found by its spans alone (the tagger gives no parse
    roles): by the cue's head word, "direct" when the content is a quotation."""
    span = doc.char_span(cue[0], cue[1], alignment_mode="expand")
    if span is None or not len(span):
        return "other"
    if span[0].lower_ == "according" or (span[0].lower_ == "as" and len(span) > 1):
        return "according_to"
    head = span.root
    quoted = any(s <= content[0] and content[1] <= e for s, e in quote_spans(text))
    return _kind(head, head.lemma_, quoted)


# --- finding cues and their content --------------------------------------------------


# A wire dateline opening a paragraph: "Seoul [South Korea], February 27 (ANI): ",
# "WASHINGTON (AP) — ". It says where the story was filed, not what anyone claimed.
_DATELINE = re.compile(
    r"^[^\S\n]*[^\n:()]{1,80}?\((?:[A-Z]{2,}|Reuters)\)\s*(?::|—|–|--?)\s*", re.M
)


def front_matter(text: str) -> list[tuple[int, int]]:
    """Spans that are metadata, not prose: an opening "date YYYY-MM-DD" token and datelines."""
    spans = [(m.start(), m.end()) for m in _DATELINE.finditer(text)]
    date = DATE_TOKEN.match(text)
    return [(date.start(), date.end()), *spans] if date else spans


def headline_lines(text: str) -> list[tuple[int, int]]:
    """The lines that read as headlines, bylines or captions (`is_headline`), each with its
    line break; the first line opens the article when a blank line sets it off."""
    spans: list[tuple[int, int]] = []
    lines = text.splitlines(keepends=True)
    first = next((i for i, line in enumerate(lines) if line.strip()), 0)
    start = 0
    for i, line in enumerate(lines):
        opens = (
            i == first
            and i + 1 < len(lines)
            and not lines[i + 1].strip()
            and any(rest.strip() for rest in lines[i + 1 :])
        )
        if is_headline(line, opens):
            spans.append((start, start + len(line)))
        start += len(line)
    return spans


def outside_front_matter(found: list[Found], doc: Doc, text: str) -> list[Found]:
    """Claims with front matter cut off the start of their claimant and content; a
    content the tagger ran on from a headline into the prose below starts below it."""
    kept: list[Found] = []
    spans = front_matter(text)
    headlines = headline_lines(text)
    for f in found:
        if _inside(f.cue[0], spans):
            continue
        spans_here = spans + [h for h in headlines if not h[0] <= f.cue[0] < h[1]]
        start = next((e for s, e in spans_here if s <= f.content[0] < e), f.content[0])
        content = trim_span(text, (start, f.content[1]))
        if content is None:
            continue
        subject = f.subject
        if subject is not None:
            cut = next((e for s, e in spans if s <= subject.start_char < e), None)
            if cut is not None:
                subject = doc.char_span(cut, subject.end_char, alignment_mode="contract")
        kept.append(replace(f, content=content, subject=subject))
    return kept


# A comma, possibly with a conjunction, before a new attributed clause: "..., while 22
# percent said ...", "..., but the agency reported ...".
_SPLICE = re.compile(r",\s*(?:(?:and|but|while|whereas|though|although)\s+)?$")


def _split_comma_splices(found: list[Found], text: str) -> list[Found]:
    """End a content where a new attributed clause starts after a comma: in "X reported
    that A, a spokesperson confirmed that B" X reported A only, and does not relay B; in
    "X said A, adding that B" (a cue right after the comma) X said A, then added B."""
    splices = (
        _SPLICE.search(text, 0, g.subject.start_char)
        for g in found
        if g.subject is not None
        and g.content[0] > g.cue[1]  # the clause has its own content after its cue
        and g.subject.root.tag_ not in ("WP", "WDT")  # ", who said ..." continues a noun
    )
    starts = [m.start() for m in splices if m is not None] + [
        g.cue[0]
        for g in found
        if g.content[0] > g.cue[1] and text[: g.cue[0]].rstrip().endswith(",")
    ]
    result: list[Found] = []
    for f in found:
        cut = min(
            (s for s in starts if f.content[0] < s < f.content[1] and s > f.cue[1]), default=None
        )
        content = trim_span(text, (f.content[0], cut)) if cut is not None else f.content
        result.append(f if content is None else replace(f, content=content))
    return result


def quote_spans(text: str) -> list[tuple[int, int]]:
    """Quotations including their marks; one left open runs to the end of its paragraph,
    as news quotes spanning several paragraphs reopen each paragraph without closing."""
    spans: list[tuple[int, int]] = []
    pos = 0
    for paragraph in text.split("\n"):
        opened: tuple[int, str] | None = None
        for m in _QUOTE_MARK.finditer(paragraph):
            mark, i = m.group(), m.start()
            if opened is None:
                if mark != "”" and (i == 0 or not paragraph[i - 1].isalnum()):
                    opened = (i, mark)
            elif mark != "“" and (mark == "''") == (opened[1] == "''"):
                spans.append((pos + opened[0], pos + m.end()))
                opened = None
        if opened is not None:
            spans.append((pos + opened[0], pos + len(paragraph)))
        pos += len(paragraph) + 1
    return spans


def _sentence_bounds(doc: Doc) -> list[tuple[int, int]]:
    """(start, end) characters of the parser's sentence around each token, by token index;
    computed once because `Token.sent` walks the document on every call."""
    bounds: list[tuple[int, int]] = []
    for sent in doc.sents:
        bounds.extend([(sent.start_char, sent.end_char)] * len(sent))
    return bounds


def _verb_claims(
    doc: Doc,
    text: str,
    quotes: list[tuple[int, int]],
    bounds: list[tuple[int, int]],
    cues: LearnedCues,
) -> Iterator[Found]:
    for token in doc:
        lemma = token.lemma_.lower()
        if not (
            ((lemma in CUE_VERBS or lemma in cues.verbs) and token.pos_ in ("VERB", "AUX"))
            or ((lemma in ADJ_CUES or lemma in cues.adjectives) and token.pos_ == "ADJ")
        ):
            continue
        if _inside(token.idx, quotes):
            continue
        speech = lemma in SPEECH
        subject, guessed = _verb_subject(token, speech)
        learned = cues.verbs.get(lemma, frozenset()) if token.pos_ != "ADJ" else frozenset()
        if (
            subject is not None
            and subject.root.dep_ in learned
            # "X worries that ...": with a clause of its own the subject is the source.
            and not any(c.dep_ == "ccomp" for c in token.children)
        ):
            about = _about_subject(token, subject, text, quotes, bounds[token.i], cues)
            if about is not None:
                yield about
            continue
        if not speech and (subject is None or subject.root.dep_ == "nsubjpass"):
            continue  # "was cited", "to support Russia": not the subject's stance
        content = _verb_content(token, text, quotes, bounds[token.i], subject, cues)
        if content is None and guessed and subject is not None:
            content = trim_span(text, (bounds[token.i][0], subject.start_char))
        if content is None or (subject is None and not (speech and token.dep_ in _IMPLICIT_OK)):
            continue
        yield Found(
            cue=_cue_span(token),
            content=content,
            kind=_kind(token, lemma, any(q[0] == content[0] for q in quotes)),
            subject=subject,
            addressee=_addressee(token),
        )


def _about_subject(
    token: Token,
    subject: SpacySpan,
    text: str,
    quotes: list[tuple[int, int]],
    sent: tuple[int, int],
    cues: LearnedCues,
) -> Found | None:
    """A cue whose subject is what is claimed about, as learned for its lemma: "the race
    appears closer" (the writer's view), "the move was reported by MSNBC" (the agent's)."""
    rest = _verb_content(token, text, quotes, sent, subject, cues)
    if rest is None or rest[0] < token.idx:
        if subject.root.dep_ != "nsubjpass":
            return None  # "voters appeared" (showed up) claims nothing about them
        rest = (subject.start_char, subject.end_char)
    end = max(rest[1], subject.end_char)
    content = trim_span(text, (subject.start_char, end))
    if content is None:
        return None
    agents = [
        o for c in token.children if c.dep_ == "agent" for o in c.children if o.dep_ == "pobj"
    ]
    return Found(
        cue=_cue_span(token),
        content=content,
        kind="other",
        subject=noun_phrase(agents[0]) if agents else None,
    )


def _verb_subject(token: Token, speech: bool) -> tuple[SpacySpan | None, bool]:
    """The cue's subject, and whether it was guessed from the noun phrase just before the
    cue because the parse gave it none ("..., the spy agency said")."""
    subject = _subject(token, inherit=token.pos_ == "ADJ")
    if subject is not None:
        return subject, False
    if speech:
        postposed = _postposed_subject(token)
        if postposed is not None:
            return postposed, True
        return _subject(token), False
    # "he said, referring to ...", "took the stage and called it rotten": a stance verb
    # joined to another verb shares its subject, like an adjective shares its copula's.
    return (_subject(token) if token.dep_ in SHARED_SUBJECT_DEPS else None), False


def _postposed_subject(token: Token) -> SpacySpan | None:
    """The noun phrase between a comma and the cue when the parse gave the cue no subject:
    "..., the spy agency said", "..., an official for the agency (NIS) claimed"."""
    doc = token.doc
    end = token.i
    while end > 0 and doc[end - 1].dep_ in ("aux", "neg", "advmod"):
        end -= 1  # "the agency has also said"
    start = end
    while start > 0 and doc[start - 1].text != ",":
        start -= 1
        if doc[start].pos_ in ("VERB", "AUX") or doc[start].is_sent_start or end - start > 20:
            return None
    if start == 0 or start == end:
        return None
    phrase = doc[start:end]
    return phrase if phrase.root.pos_ in ("NOUN", "PROPN", "PRON") else None


SHARED_SUBJECT_DEPS = frozenset({"advcl", "conj"})
# Cues that may have no subject ("Asked about it, ...", a headline's "Says ...").
_IMPLICIT_OK = frozenset({"ROOT", "ccomp", "conj", "advcl", "pcomp"})


def _kind(token: Token, lemma: str, quoted: bool) -> str:
    if any(
        c.dep_ == "prep" and any(g.lemma_ == "statement" for g in c.subtree) for c in token.children
    ):
        return "statement"
    kind = CUE_KINDS.get(lemma, "indirect" if lemma in SPEECH else "other")
    return "direct" if kind == "indirect" and quoted else kind


def _verb_content(
    token: Token,
    text: str,
    quotes: list[tuple[int, int]],
    sent: tuple[int, int],
    subject: SpacySpan | None,
    cues: LearnedCues,
) -> tuple[int, int] | None:
    """The clause or quotation the cue verb introduces, as a character span."""
    lemma = token.lemma_.lower()
    learned = (
        cues.verbs.get(lemma, frozenset()) | cues.adjectives.get(lemma, frozenset())
    ) - SUBJECT_DEPS
    clauses = [
        c
        for c in token.children
        if (c.dep_ in CONTENT_DEPS or c.dep_ in learned) and not _reports_back(c)
    ]
    clauses = [
        c
        for c in clauses
        if (c.dep_ in ("ccomp", "parataxis") or c.dep_ in learned or _clausal(c, token))
        # "..., he said as the crowd booed": a clause marked "as", "when" is a circumstance.
        and not any(m.dep_ == "mark" and m.lower_ in CIRCUMSTANCE_MARKS for m in c.children)
    ]
    span: tuple[int, int] | None = None
    preps = cues.preps(lemma, adjective=token.pos_ == "ADJ")
    if not clauses and preps:
        clauses = [
            obj
            for prep in token.children
            if prep.dep_ in ("prep", "prt") and prep.lower_ in preps
            for obj in (*prep.children, *(c for c in token.children if c.dep_ == "pobj"))
            if obj.dep_ in ("pobj", "pcomp")
        ]
    if not clauses:
        # "said in a statement that ...": the clause hangs from the statement.
        clauses = [
            c
            for prep in token.children
            if prep.dep_ == "prep"
            for obj in prep.children
            if obj.dep_ == "pobj" and obj.lemma_ in REPORT_NOUNS
            for c in obj.children
            if c.dep_ in ("acl", "ccomp") and any(m.dep_ == "mark" for m in c.children)
        ]
    if clauses:
        # "called the law a disgrace": object and predicate together, on one side of the cue.
        # A "that" clause after the cue is its content even when the parse also hangs a
        # spliced clause before it ("X reported A, a spokesperson confirmed that B").
        marked = [
            c
            for c in clauses
            if c.i > token.i
            and any(m.dep_ == "mark" and m.lower_ in COMPLEMENTIZERS for m in c.children)
        ]
        main = max(marked or clauses, key=lambda c: len(list(c.subtree)))
        side = [c for c in clauses if (c.i > token.i) == (main.i > token.i)]
        # "X, the ministry said, local media reported": the media report the ministry too.
        side += [c for c in token.children if c.i < token.i and _reports_back(c) and main.i < c.i]
        if main.dep_ == "dobj":
            # "accused Clinton of lying", "endorsed Cruz for president": the reason or role
            # belongs to the stance.
            side += [
                c
                for c in token.children
                if c.i > main.i
                and c.dep_ in OBJECT_TAIL_DEPS
                and not _set_off(c)
                and not (c.dep_ == "prep" and c.lower_ in CIRCUMSTANCE_PREPS)
                and not (c.dep_ == "npadvmod" and c.ent_type_ in ("DATE", "TIME"))
            ]
        if main.dep_ == "ccomp" and main.i > token.i:
            # "said A, but B were ...": the parse hangs a clause of its own subject from the
            # cue, though it carries on what was said.
            side += [
                c
                for c in token.children
                if c.dep_ == "conj"
                and c.i > main.i
                and c.lemma_.lower() not in CUE_VERBS
                and any(g.dep_ in SUBJECT_DEPS for g in c.children)
            ]
        first, last = min(c.left_edge for c in side), max(c.right_edge for c in side)
        span = (first.idx, last.idx + len(last))
    quote = None
    if token.lemma_.lower() in QUOTE_VERBS:
        quote = _adjacent_quote(token, text, quotes, sent, subject)
    if (
        quote is not None
        and span is not None
        and span[0] < quote[0] < quote[1] <= token.idx
        and text[span[0] : quote[0]].rstrip().endswith(":")
    ):
        # `...: "...," he said` with the quote's words parsed into a clause reaching back
        # before it: the quotation is what was said.
        span = quote
    if quote is not None and (span is None or overlap(span, quote) or quote[0] > span[1]):
        span = quote if span is None else (min(span[0], quote[0]), max(span[1], quote[1]))
        span = (span[0], _continuation(text, quotes, span[1]))
    if span is None and _is_parenthetical(token):
        span = _host_clause(token)
    if span is None:
        return None
    span = _with_quotes(span, quotes, token.idx)
    # "..., as per a report in Yonhap" attributes the whole claim to its relay.
    relay = _RELAY.search(text[span[0] : span[1]])
    if relay is not None and not _inside(span[0] + relay.start(), quotes):
        span = (span[0], span[0] + relay.start())
    return trim_span(text, span)


def _clausal(child: Token, cue: Token) -> bool:
    """Whether a non-ccomp dependent of the cue is its content, by the cue's lexicon."""
    lemma = cue.lemma_.lower()
    if child.dep_ == "dobj":
        return lemma in OBJECT_CUES or (lemma in SPEECH and child.lemma_.lower() in SAID_THINGS)
    if child.dep_ == "xcomp":
        return lemma in XCOMP_CUES and child.pos_ in ("VERB", "AUX")
    if child.dep_ == "advcl":
        return any(
            c.dep_ == "mark" and c.lower_ in ("that", "if", "whether") for c in child.children
        )
    return child.dep_ == "oprd" and lemma in OBJECT_CUES


def _reports_back(token: Token) -> bool:
    """ "..., local media reported." hung under the main verb reports the rest."""
    return token.lemma_.lower() in CUE_VERBS and _is_parenthetical(token)


def _is_parenthetical(token: Token) -> bool:
    """A content-less cue set off by a comma inside or after the clause it reports:
    "In Miami, he said, Trump is seen as ...", "..., local media reported."."""
    head = token.head
    return (
        head.i != token.i
        and head.pos_ in ("VERB", "AUX")
        and token.dep_ in ("parataxis", "ccomp", "conj", "advcl")
        and not any(c.dep_ in CONTENT_DEPS for c in token.children)
        and any(c.dep_ in SUBJECT_DEPS for c in token.children)
        and token.doc[max(_left_edge(token) - 1, 0)].text in _SET_OFF
    )


def _host_clause(token: Token) -> tuple[int, int]:
    """The extent of the clause around a parenthetical cue, without the cue's own words
    (nor those of a cue it hangs from) when they stand at its edge."""
    own = {t.i for t in token.subtree}
    head = token.head
    if head.lemma_.lower() in CUE_VERBS and head.i > token.i:
        # "X, the ministry said, local media reported": the ministry's part is X alone,
        # while the media's report (the cue after its head) holds the ministry's claim.
        own |= {t.i for t in _clause_tokens(head)}
    rest = [t for t in head.subtree if t.i not in own and not t.is_punct]
    return (rest[0].idx, rest[-1].idx + len(rest[-1]))


_SET_OFF = (",", "—", "–")
_RELAY = re.compile(r",?\s+(?:according to|as per)\b[^,;]*$", re.IGNORECASE)


def _set_off(token: Token) -> bool:
    """Whether a comma or dash stands just before the token's words."""
    return token.doc[max(_left_edge(token) - 1, 0)].text in _SET_OFF


def _left_edge(token: Token) -> int:
    """Index of the first word of the token's subtree (a leading comma is not a word)."""
    return min(t.i for t in token.subtree if not t.is_punct or t.i == token.i)


def _adjacent_quote(
    token: Token,
    text: str,
    quotes: list[tuple[int, int]],
    sent: tuple[int, int],
    subject: SpacySpan | None,
) -> tuple[int, int] | None:
    """A quotation that ends just before the cue's clause (`"...," X said`) or starts just
    after it (`X said: "..."`), in the same sentence."""
    clause = list(_clause_tokens(token))
    start = min(t.idx for t in clause)
    if subject is not None and sent[0] <= subject.start_char < start:
        start = subject.start_char  # "X was cited as telling CNN" reaches back to X
    end = max(t.idx + len(t) for t in clause)
    for q_start, q_end in quotes:
        between = text[q_end:start]
        if q_end <= start and q_end >= sent[0] - 2 and _only_glue(between):
            return (q_start, q_end)
        if q_start >= token.idx and q_start <= sent[1] + 1:
            gap = text[end:q_start]
            if _only_glue(gap) or (q_start - token.idx < 120 and gap.rstrip().endswith((",", ":"))):
                return (q_start, q_end)
    return None


def _continuation(text: str, quotes: list[tuple[int, int]], content_end: int) -> int:
    """Where the content ends once the quotes that carry it on in the same paragraph
    (`"A," he said. "B."`) are included; a long aside between them ends the quote."""
    end = scan = content_end
    for q_start, q_end in quotes:
        if q_start < scan:
            continue
        gap = text[end:q_start]
        if "\n" in gap or len(gap) > _MAX_ASIDE:
            break
        if not _CONTINUES.search(text[scan:q_start]):
            if len(text[q_start:q_end].split()) <= _MAX_TITLE_WORDS:
                scan = q_end  # `he said on ABC's "This Week."`: a title in the aside
                continue
            break
        if _NEW_SENTENCE.search(gap):
            break  # `"A," X said. Y replied, "B."`: a new sentence leads into B
        end = scan = q_end
    return end


_MAX_ASIDE = 120
_MAX_TITLE_WORDS = 5
_CONTINUES = re.compile(r"(?:^|[.!?,:;])\s*$")
_NEW_SENTENCE = re.compile(r"[.!?]\s+\S[^.!?]*$")


def _clause_tokens(token: Token) -> Iterable[Token]:
    """The cue with its subject, auxiliaries and short modifiers, without its content."""
    yield token
    for c in token.children:
        if c.dep_ in (*SUBJECT_DEPS, "aux", "auxpass", "neg", "advmod", "prt", "npadvmod"):
            yield from c.subtree


def _only_glue(between: str) -> bool:
    return len(between) <= 4 and all(ch in " ,:—–-\n" for ch in between)


def _with_quotes(span: tuple[int, int], quotes: list[tuple[int, int]], cue: int) -> tuple[int, int]:
    # The parser leaves quotation marks and a quote's continuation outside the clause;
    # PolNeAR and readers both take the whole quotation as the content.
    start, end = span
    for q in quotes:
        if overlap((start, end), q) and not (q[0] <= cue < q[1]):
            start, end = min(start, q[0]), max(end, q[1])
    return start, end


def trim_span(text: str, span: tuple[int, int]) -> tuple[int, int] | None:
    start, end = span
    while start < end and text[start] in _TRIM:
        start += 1
    while end > start and text[end - 1] in _TRIM:
        end -= 1
    return (start, end) if end > start else None


def _according_claims(doc: Doc, text: str, bounds: list[tuple[int, int]]) -> Iterator[Found]:
    for token in doc[:-1]:
        nxt = doc[token.i + 1]
        if (token.lower_, nxt.lower_) not in ACCORDING_TO:
            continue
        objects = [t for t in nxt.children if t.dep_ == "pobj"] or [
            t for t in token.subtree if t.dep_ == "pobj"
        ]
        if not objects:
            continue
        source = objects[0]
        # "according to officials, who say ...": the relative clause is theirs, not ours.
        clause = [c for c in source.children if c.dep_ == "relcl"]
        own = {t.i for c in clause for t in c.subtree}
        words = [t for t in (token, nxt, *source.subtree) if t.i not in own]
        first, last = min(t.i for t in words), max(t.i for t in words)
        sent_start, sent_end = bounds[token.i]
        if own:
            tail = doc[max(own)]
            before = trim_span(text, (sent_start, doc[first].idx))
            content = before or trim_span(text, (tail.idx + len(tail), sent_end))
        else:
            content = _rest_of_sentence(doc, text, (sent_start, sent_end), first, last)
        if content is None:
            continue
        yield Found(
            cue=(token.idx, nxt.idx + len(nxt)),
            content=content,
            kind="according_to",
            subject=doc[source.left_edge.i : last + 1],
            claimant_text=publisher_of(source),
        )


def _noun_claims(
    doc: Doc, text: str, quotes: list[tuple[int, int]], cues: LearnedCues
) -> Iterator[Found]:
    """An owned cue noun: "Trump's claim that ...", "the union's support for the bill"."""
    for token in doc:
        lemma = token.lemma_.lower()
        if token.pos_ != "NOUN" or not (lemma in NOUN_CUES or lemma in cues.nouns):
            continue
        preps = NOUN_CONTENT_PREPS | {
            r[5:] for r in cues.nouns.get(lemma, frozenset()) if r.startswith("prep:")
        }
        if _inside(token.idx, quotes):
            continue
        owners = [c for c in token.children if c.dep_ == "poss"] or [
            obj
            for prep in token.children
            if prep.dep_ == "prep" and prep.lower_ in NOUN_SOURCE_PREPS
            for obj in prep.children
            if obj.dep_ == "pobj"
        ]
        # "is a critic of", "made the case that": the predicate of a copula or light verb
        # is its subject's stance.
        light = token.dep_ in PREDICATE_DEPS and token.head.lemma_.lower() in LIGHT_VERBS
        holders = [token, token.head] if light else [token]
        clauses = [
            c
            for c in token.children
            if c.dep_ in ("acl", "ccomp") and any(m.lower_ == "that" for m in c.children)
        ] or [
            obj
            for holder in holders
            for prep in holder.children
            if prep.dep_ == "prep" and prep.lower_ in preps and prep.i > token.i
            for obj in prep.children
            if obj.dep_ in ("pobj", "pcomp")
        ]
        if not clauses:
            continue
        subject = (
            doc[owners[0].left_edge.i : owners[0].i + 1]
            if owners
            else _subject(token.head)
            if light
            else None
        )
        if subject is None:
            continue
        clause = clauses[0]
        left = min([clause.left_edge.i, *(c.i for c in clause.children if c.dep_ == "mark")])
        content = trim_span(text, (doc[left].idx, clause.right_edge.idx + len(clause.right_edge)))
        if content is None:
            continue
        yield Found(
            cue=(token.idx, token.idx + len(token)),
            content=content,
            kind=CUE_KINDS.get(token.lemma_.lower(), "other"),
            subject=subject,
        )


def _colon_claims(
    doc: Doc, text: str, quotes: list[tuple[int, int]], bounds: list[tuple[int, int]]
) -> Iterator[Found]:
    """Headline style "Graham: Trump's rhetoric is destroying the party"."""
    for token in doc:
        if token.text != ":" or _inside(token.idx, quotes) or token.i == 0:
            continue
        sent_start = bounds[token.i][0]
        line_start = text.rfind("\n", 0, token.idx) + 1
        start = doc.char_span(max(sent_start, line_start), token.idx, alignment_mode="expand")
        if start is None or not 0 < len(start) <= 4:
            continue
        if not all(t.pos_ == "PROPN" for t in start) or start.root.ent_type_ not in (
            "PERSON",
            "ORG",
            "",
        ):
            continue
        line_end = text.find("\n", token.idx)
        content = trim_span(text, (token.idx + 1, len(text) if line_end < 0 else line_end))
        if content is None:
            continue
        quoted = any(q[0] == content[0] for q in quotes)
        yield Found(
            cue=(token.idx, token.idx + 1),
            content=content,
            kind="direct" if quoted else "indirect",
            subject=start,
        )


# A quotation signed with a dash and a name closing its line: "“...” ― Jane Roe" (readers'
# and witnesses' words printed one after another, epigraphs).
_SIGNATURE = re.compile(
    r"[^\S\n]*([―—–]{1,2})[^\S\n]*([A-Z][\w.'’-]*(?:[^\S\n]+[A-Z][\w.'’-]*){0,4})"
    r"[^\S\n]*(?=,|\.?[^\S\n]*(?:\n|$))"
)


def signed_quotes(doc: Doc, text: str, quotes: list[tuple[int, int]] | None = None) -> list[Found]:
    """Quotations signed after a dash ("“The most unqualified child ...” ― Francisco
    Herrero"): the name is the source, the dash the cue. A convention of print, not of
    speech, that the learned tagger does not know."""
    found = []
    for start, end in quote_spans(text) if quotes is None else quotes:
        if text[end - 1 : end] not in ("”", '"', "'"):
            continue  # left open: it runs to the end of its paragraph
        m = _SIGNATURE.match(text, end)
        name = doc.char_span(m.start(2), m.end(2), alignment_mode="contract") if m else None
        if m is None or name is None or not len(name):
            continue
        found.append(Found(cue=m.span(1), content=(start, end), kind="direct", subject=name))
    return found


def _rest_of_sentence(
    doc: Doc, text: str, sent: tuple[int, int], first: int, last: int
) -> tuple[int, int] | None:
    before = trim_span(text, (sent[0], doc[first].idx))
    after = trim_span(text, (doc[last].idx + len(doc[last]), sent[1]))
    if before and after:
        return (before[0], after[1])
    return before or after


def publisher_of(source: Token, preps: frozenset[str] = PUBLISHER_PREPS) -> str | None:
    """ "a report in Yonhap" is Yonhap's claim (`preps`: the prepositions that may name it)."""
    if source.lemma_.lower() not in REPORT_NOUNS:
        return None
    for prep in source.children:
        if prep.dep_ == "prep" and prep.lower_ in preps:
            for obj in prep.children:
                if obj.dep_ == "pobj":
                    return entity_text(obj)
    return None


def _continued_quotes(
    text: str, found: list[Found], quotes: list[tuple[int, int]]
) -> Iterator[Found]:
    """A paragraph that is only a quotation carries on the quote of the paragraph before."""
    whole = {(s, e) for s, e in quotes}
    owner: Found | None = None
    for start, end in _paragraphs(text):
        cues = [f for f in found if start <= f.cue[0] < end]
        if cues:
            owner = cues[-1] if cues[-1].kind == "direct" else None
        elif owner is not None and (start, end) in whole:
            yield replace(owner, content=(start, end))
        else:
            owner = None


def _paragraphs(text: str) -> Iterator[tuple[int, int]]:
    """Non-blank lines, trimmed of surrounding whitespace."""
    pos = 0
    for line in text.split("\n"):
        stripped = line.strip()
        if stripped:
            start = pos + line.index(stripped)
            yield (start, start + len(stripped))
        pos += len(line) + 1


def _dedupe(found: Iterable[Found]) -> list[Found]:
    """One claim per cue, and per content (a speech cue wins over a stance cue)."""
    by_cue: dict[tuple[int, int], Found] = {}
    for f in found:
        by_cue.setdefault(f.cue, f)
    by_content: dict[tuple[int, int], Found] = {}
    for f in sorted(by_cue.values(), key=lambda f: (f.kind == "other", f.cue)):
        by_content.setdefault(f.content, f)
    return list(by_content.values())


def _inside(pos: int, spans: list[tuple[int, int]]) -> bool:
    return any(s <= pos < e for s, e in spans)


def overlap(a: tuple[int, int], b: tuple[int, int]) -> bool:
    """Whether two [start, end) spans share a character."""
    return a[0] < b[1] and b[0] < a[1]


def _cue_span(token: Token) -> tuple[int, int]:
    parts = [token, *(c for c in token.children if c.dep_ == "prt")]
    return (min(t.idx for t in parts), max(t.idx + len(t) for t in parts))


def _subject(token: Token, inherit: bool = True) -> SpacySpan | None:
    """The cue's subject, or (when `inherit`) the subject of the verb it hangs from."""
    current = token
    for _ in range(5 if inherit else 1):
        # A content clause's subject is what is talked about, not who talks: "X told AFP
        # that troops appear ..., adding ..." takes X.
        is_content = current.i != token.i and current.dep_ == "ccomp"
        for c in current.children:
            if c.dep_ in SUBJECT_DEPS and not is_content:
                return noun_phrase(c)
        if current.dep_ in ("relcl", "acl") and current.head.pos_ in ("NOUN", "PROPN"):
            return noun_phrase(current.head, core_only=True)
        if current.dep_ not in INHERIT_DEPS or current.head.i == current.i:
            return None
        if current.dep_ == "ccomp" and current.i == token.i:
            return None
        current = current.head
    return None


def noun_phrase(token: Token, core_only: bool = False) -> SpacySpan:
    doc = token.doc
    if core_only:
        left = min([token.i, *(c.left_edge.i for c in token.lefts)])
        return doc[left : token.i + 1]
    return doc[token.left_edge.i : token.right_edge.i + 1]


def _addressee(token: Token) -> SpacySpan | None:
    for c in token.children:
        if token.lemma_ == "tell" and c.dep_ in ("dobj", "dative"):
            return noun_phrase(c)
        if c.dep_ in ("dative", "prep") and c.lower_ == "to":
            objs = [g for g in c.children if g.dep_ == "pobj"]
            if objs:
                return noun_phrase(objs[0])
    return None


# --- naming claimants --------------------------------------------------------------


def entity_text(token: Token) -> str:
    """The named entity around `token`, or its proper-noun compound without titles."""
    if token.ent_type_:
        ent = next((e for e in token.doc.ents if e.start <= token.i < e.end), None)
        if ent is not None:
            return ent.text
    words = [token]
    while words[0].i > 0:
        before = token.doc[words[0].i - 1]
        if before.pos_ != "PROPN" or before.head.i != token.i or before.lower_ in TITLES:
            break
        words.insert(0, before)
    return " ".join(t.text for t in words)


# A line that ends in none of these is a headline, a byline or a caption, not prose.
_PROSE_END = re.compile(r"[.!?:;][\"'”’)\]]*\s*$|[\"”]\s*$")
_HEADLINE_MINOR = frozenset(
    "a an the of to in on at for and or but by with as from vs is are be it its".split()  # noqa: SIM905
)
# Headlines are short: 398 of 400 PolNeAR train headlines have at most 20 words.
_HEADLINE_MAX_WORDS = 20


def is_headline(line: str, opens_article: bool = False) -> bool:
    """Whether a line of an article is a headline, a byline or a caption rather than prose:
    it ends no sentence, or it is short and either opens the article set off by a blank
    line (as `.txt` articles give their headline) or is in Title Case ("Pence: Flowers
    Won't Be at Debate.")."""
    line = line.strip()
    if not line:
        return False
    if not _PROSE_END.search(line):
        return True
    words = [w for w in re.findall(r"[^\W\d_][\w'’-]*", line) if w.lower() not in _HEADLINE_MINOR]
    if len(words) > _HEADLINE_MAX_WORDS:
        return False
    # Title Case: every word but the minor ones capitalised, which a short sentence about
    # named people ("Mayor Linda Ortiz spoke on Monday.") is not.
    return opens_article or (len(words) >= 4 and all(w[0].isupper() for w in words))
