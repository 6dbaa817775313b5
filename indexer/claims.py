"""Rule-based attribution extraction: who claimed what, over the spaCy parse of an article.

A claim is anchored on a cue (a reporting verb such as "said", or "according to"); the
dependency parse gives its claimant (the verb's subject) and its content (the clausal
complement), and quotation marks give the content of direct quotes the parser splits.
Claimants that are pronouns, descriptions or bare surnames are resolved to the named
entity the article already introduced, and a claim that sits inside another claim's
content (e.g. "X said ..., local media reported") is marked as relayed by that claimant.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace

from spacy.tokens import Doc, Token
from spacy.tokens import Span as SpacySpan

from indexer.models import Article, Claim, Sentence, Span

# The cue-verb lexicon. Every cue takes a clause or an adjacent quotation as content;
# SPEECH verbs also take a said-thing object ("denied reports that ..."), OBJECT_CUES any
# object ("endorsed Cruz", "called the law a disgrace"), XCOMP_CUES an infinitive ("wants
# to build", "declined to comment"), as PolNeAR annotates stances as attributions too.
SPEECH = frozenset(
    """say tell claim report confirm warn note add believe argue insist announce write
    state declare explain suggest acknowledge admit allege assert contend maintain stress
    emphasize emphasise reveal indicate mention observe remark reply respond tweet post
    testify predict promise vow pledge think conclude recall complain agree ask question
    wonder caution concede boast joke charge speculate recommend urge demand propose hint
    imply reiterate repeat worry fear hope expect feel find show know understand
    doubt realize realise disclose affirm assure inform signal decide continue describe
    deny dispute reject refute dismiss estimate assess calculate forecast project
    guess figure insist acknowledge recognize recognise suspect learn hear read
    """.split()
)
OBJECT_CUES = frozenset(
    """deny dispute reject confirm announce predict estimate cite want support endorse
    criticize criticise back oppose praise blame accuse call show propose condemn defend
    welcome applaud attack blast slam question describe recommend favor favour dismiss
    demand mock tout hail decry denounce characterize characterise label dub
    """.split()
)
XCOMP_CUES = frozenset(
    """want plan hope decline refuse seek intend promise vow pledge threaten agree urge
    ask expect claim prefer wish""".split()
)
# Adjectives that report a stance when they take a clause ("is confident that ...").
ADJ_CUES = frozenset(
    """sure aware confident convinced certain worried concerned hopeful optimistic
    skeptical sceptical adamant unaware afraid""".split()
)
CUE_VERBS = SPEECH | OBJECT_CUES | XCOMP_CUES
OBJECT_PREPS = frozenset({"for", "of", "as", "over", "in"})
# Kinds by lemma; other speech verbs are "indirect" ("direct" when the content is a
# quotation), other stance verbs "other".
CUE_KINDS: dict[str, str] = {
    "tell": "told",
    **dict.fromkeys(["deny", "dispute", "reject", "refute", "dismiss"], "denial"),
    **dict.fromkeys(["estimate", "assess", "calculate", "forecast", "project"], "estimate"),
}
# Objects that are things said, so "said something" / "repeated the claim" carry content.
SAID_THINGS = frozenset(
    """report reports claim claims allegation allegations thing things something anything
    nothing statement story stories rumor rumors rumour rumours account accounts""".split()
)
# Multi-word prepositions that attribute the rest of the sentence to their object.
ACCORDING_TO = (("according", "to"), ("as", "per"))
# A source phrase headed by one of these ("a report in Yonhap") names its publisher.
REPORT_NOUNS = frozenset(
    ["report", "reports", "statement", "article", "story", "interview", "broadcast"]
)
PUBLISHER_PREPS = frozenset({"in", "by", "from", "on", "of"})
SUBJECT_DEPS = frozenset({"nsubj", "nsubjpass", "csubj"})
CONTENT_DEPS = ("ccomp", "xcomp", "dobj", "advcl", "parataxis", "oprd")
# Dependency links along which a subject-less cue inherits its head's subject
# ("Budanov denied ..., adding that ...", "X was cited as telling CNN").
INHERIT_DEPS = frozenset({"conj", "advcl", "xcomp", "pcomp", "prep", "ccomp", "acomp"})
PERSON_PRONOUNS = {"he": "PERSON", "she": "PERSON", "him": "PERSON", "her": "PERSON"}
GROUP_PRONOUNS = frozenset({"it", "they"})
DETERMINERS = frozenset({"a", "an", "the", "this", "that", "these", "those"})
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
_ACRONYM = re.compile(r"\(([A-Z][A-Za-z]{1,9})\)")


@dataclass(frozen=True)
class _Found:
    """A claim before resolution: token-level claimant, char spans for the rest."""

    cue: tuple[int, int]
    content: tuple[int, int]
    kind: str
    subject: SpacySpan | None
    claimant_text: str | None = None
    addressee: SpacySpan | None = None


def extract_claims(doc: Doc, sentences: list[Sentence], article: Article) -> list[Claim]:
    """All attributions in `article`, in text order, with claimants resolved."""
    text = article.text  # equal to doc.text, which spaCy rebuilds on every access
    quotes = quote_spans(text)
    bounds = _sentence_bounds(doc)
    found = sorted(
        _dedupe(
            [
                *_verb_claims(doc, text, quotes, bounds),
                *_according_claims(doc, text, bounds),
                *_colon_claims(doc, text, quotes, bounds),
            ]
        ),
        key=lambda f: f.cue,
    )
    found = [*found, *_continued_quotes(text, found, quotes)]
    found.sort(key=lambda f: f.cue)
    resolver = _Resolver(doc, text)
    starts = [s.start for s in sentences]
    claims = [
        _claim(f, text, article, resolver, max(bisect_right(starts, f.cue[0]) - 1, 0))
        for f in found
    ]
    return _with_reporting_chains(claims, article.outlet)


# --- finding cues and their content --------------------------------------------------


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
    doc: Doc, text: str, quotes: list[tuple[int, int]], bounds: list[tuple[int, int]]
) -> Iterator[_Found]:
    chunk_ending = {chunk.end - 1: chunk for chunk in doc.noun_chunks}
    for token in doc:
        lemma = token.lemma_.lower()
        if not (
            (lemma in CUE_VERBS and token.pos_ in ("VERB", "AUX"))
            or (lemma in ADJ_CUES and token.pos_ == "ADJ")
        ):
            continue
        if _inside(token.idx, quotes):
            continue
        speech = lemma in SPEECH
        subject = _subject(token, inherit=token.pos_ == "ADJ")
        chunk = chunk_ending.get(token.i - 1)
        loose = subject is None and speech and chunk is not None and chunk.start > 0
        if loose and chunk is not None and doc[chunk.start - 1].text == ",":
            # A misparse that leaves "..., the spy agency said" without a subject.
            subject = chunk
        elif subject is None and speech:
            subject = _subject(token)
        if not speech and (subject is None or subject.root.dep_ == "nsubjpass"):
            continue  # "was cited", "to support Russia": not the subject's stance
        content = _verb_content(token, text, quotes, bounds[token.i], subject)
        if content is None and loose and subject is chunk and subject is not None:
            content = _trim(text, (bounds[token.i][0], subject.start_char))
        if content is None or (subject is None and not (speech and token.dep_ in _IMPLICIT_OK)):
            continue
        yield _Found(
            cue=_cue_span(token),
            content=content,
            kind=_kind(token, lemma, any(q[0] == content[0] for q in quotes)),
            subject=subject,
            addressee=_addressee(token),
        )


# Cues that may have no subject ("Asked about it, ...", a headline's "Says ...").
_IMPLICIT_OK = frozenset({"ROOT", "ccomp", "conj", "advcl", "pcomp"})


def _kind(token: Token, lemma: str, quoted: bool) -> str:
    if any(
        c.dep_ == "prep" and any(g.lemma_ == "statement" for g in c.subtree)
        for c in token.children
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
) -> tuple[int, int] | None:
    """The clause or quotation the cue verb introduces, as a character span."""
    clauses = [c for c in token.children if c.dep_ in CONTENT_DEPS and not _reports_back(c)]
    clauses = [c for c in clauses if c.dep_ in ("ccomp", "parataxis") or _clausal(c, token)]
    span: tuple[int, int] | None = None
    if clauses:
        # "called the law a disgrace": object and predicate together, on one side of the cue.
        main = max(clauses, key=lambda c: len(list(c.subtree)))
        side = [c for c in clauses if (c.i > token.i) == (main.i > token.i)]
        if main.dep_ == "dobj":
            # "accused Clinton of lying", "endorsed Cruz for president": the reason or role
            # belongs to the stance.
            side += [
                c
                for c in token.children
                if c.dep_ == "prep" and c.lower_ in OBJECT_PREPS and c.i > main.i
            ]
        first, last = min(c.left_edge for c in side), max(c.right_edge for c in side)
        span = (first.idx, last.idx + len(last))
    quote = _adjacent_quote(token, text, quotes, sent, subject)
    if quote is not None and (span is None or _overlap(span, quote) or quote[0] > span[1]):
        span = quote if span is None else (min(span[0], quote[0]), max(span[1], quote[1]))
        clause_end = max(t.idx + len(t) for t in _clause_tokens(token))
        span = (span[0], _continuation(text, quotes, span[1], clause_end, sent[1]))
    if span is None and _is_parenthetical(token):
        span = _host_clause(token)
    if span is None:
        return None
    span = _with_quotes(span, quotes, token.idx)
    return _trim(text, span)


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
        head is not token
        and head.pos_ in ("VERB", "AUX")
        and token.dep_ in ("parataxis", "ccomp", "conj", "advcl")
        and not any(c.dep_ in CONTENT_DEPS for c in token.children)
        and any(c.dep_ in SUBJECT_DEPS for c in token.children)
        and token.doc[max(_left_edge(token) - 1, 0)].text in (",", "—", "–")
    )


def _host_clause(token: Token) -> tuple[int, int]:
    """The extent of the clause around a parenthetical cue, without the cue's own words
    when they stand at its edge."""
    own = {t.i for t in token.subtree}
    rest = [t for t in token.head.subtree if t.i not in own and not t.is_punct]
    return (rest[0].idx, rest[-1].idx + len(rest[-1]))


def _left_edge(token: Token) -> int:
    return min(t.i for t in token.subtree)


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


def _continuation(
    text: str, quotes: list[tuple[int, int]], content_end: int, clause_end: int, sent_end: int
) -> int:
    """Where the content ends once the quotes that carry it on in the same paragraph
    (`"A," he said. "B."`) are included."""
    end = max(content_end, clause_end)
    for q_start, q_end in quotes:
        if q_start < end:
            continue
        gap = text[end:q_start]
        rest_of_cue_sentence = end < sent_end <= q_start and not text[sent_end:q_start].strip()
        if "\n" in gap or not (rest_of_cue_sentence or not gap.strip(" ,.:;")):
            break
        end = q_end
    return end if end > clause_end else content_end


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
        if _overlap((start, end), q) and not (q[0] <= cue < q[1]):
            start, end = min(start, q[0]), max(end, q[1])
    return start, end


def _trim(text: str, span: tuple[int, int]) -> tuple[int, int] | None:
    start, end = span
    while start < end and text[start] in _TRIM:
        start += 1
    while end > start and text[end - 1] in _TRIM:
        end -= 1
    return (start, end) if end > start else None


def _according_claims(doc: Doc, text: str, bounds: list[tuple[int, int]]) -> Iterator[_Found]:
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
        end = doc[min(own) - 1].idx if own else bounds[token.i][1]
        content = _rest_of_sentence(doc, text, (bounds[token.i][0], end), first, last)
        if content is None:
            continue
        yield _Found(
            cue=(token.idx, nxt.idx + len(nxt)),
            content=content,
            kind="according_to",
            subject=doc[source.left_edge.i : last + 1],
            claimant_text=_publisher(source),
        )


def _colon_claims(
    doc: Doc, text: str, quotes: list[tuple[int, int]], bounds: list[tuple[int, int]]
) -> Iterator[_Found]:
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
        content = _trim(text, (token.idx + 1, len(text) if line_end < 0 else line_end))
        if content is None:
            continue
        quoted = any(q[0] == content[0] for q in quotes)
        yield _Found(
            cue=(token.idx, token.idx + 1),
            content=content,
            kind="direct" if quoted else "indirect",
            subject=start,
        )


def _rest_of_sentence(
    doc: Doc, text: str, sent: tuple[int, int], first: int, last: int
) -> tuple[int, int] | None:
    before = _trim(text, (sent[0], doc[first].idx))
    after = _trim(text, (doc[last].idx + len(doc[last]), sent[1]))
    if before and after:
        return (before[0], after[1])
    return before or after


def _publisher(source: Token) -> str | None:
    """ "a report in Yonhap" is Yonhap's claim."""
    if source.lemma_ not in REPORT_NOUNS:
        return None
    for prep in source.children:
        if prep.dep_ == "prep" and prep.lower_ in PUBLISHER_PREPS:
            for obj in prep.children:
                if obj.dep_ == "pobj":
                    return _entity_text(obj)
    return None


def _continued_quotes(
    text: str, found: list[_Found], quotes: list[tuple[int, int]]
) -> Iterator[_Found]:
    """A paragraph that is only a quotation continues the previous paragraph's quote."""
    by_end = {f.content[1]: f for f in found if f.kind in ("direct", "statement")}
    for q_start, q_end in quotes:
        line_start = text.rfind("\n", 0, q_start) + 1
        line_end = text.find("\n", q_end)
        line_end = len(text) if line_end < 0 else line_end
        if text[line_start:q_start].strip() or text[q_end:line_end].strip():
            continue
        if any(
            f.content[0] <= q_start < f.content[1] or q_start <= f.cue[0] < q_end for f in found
        ):
            continue
        previous = text[:line_start].rstrip()
        for end in (len(previous), len(previous) - 1):
            owner = by_end.get(end)
            if owner is not None and q_end - q_start > 1:
                cont = replace(owner, content=(q_start, q_end), kind="direct")
                by_end[q_end] = cont
                yield cont
                break


def _dedupe(found: Iterable[_Found]) -> list[_Found]:
    seen: dict[tuple[int, int], _Found] = {}
    for f in found:
        seen.setdefault(f.cue, f)
    return list(seen.values())


def _inside(pos: int, spans: list[tuple[int, int]]) -> bool:
    return any(s <= pos < e for s, e in spans)


def _overlap(a: tuple[int, int], b: tuple[int, int]) -> bool:
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
        is_content = current is not token and current.dep_ == "ccomp"
        for c in current.children:
            if c.dep_ in SUBJECT_DEPS and not is_content:
                return _noun_phrase(c)
        if current.dep_ in ("relcl", "acl") and current.head.pos_ in ("NOUN", "PROPN"):
            return _noun_phrase(current.head, core_only=True)
        if current.dep_ not in INHERIT_DEPS or current.head is current:
            return None
        if current.dep_ == "ccomp" and current is token:
            return None
        current = current.head
    return None


def _noun_phrase(token: Token, core_only: bool = False) -> SpacySpan:
    doc = token.doc
    if core_only:
        left = min([token.i, *(c.left_edge.i for c in token.lefts)])
        return doc[left : token.i + 1]
    return doc[token.left_edge.i : token.right_edge.i + 1]


def _addressee(token: Token) -> SpacySpan | None:
    for c in token.children:
        if token.lemma_ == "tell" and c.dep_ in ("dobj", "dative"):
            return _noun_phrase(c)
        if c.dep_ in ("dative", "prep") and c.lower_ == "to":
            objs = [g for g in c.children if g.dep_ == "pobj"]
            if objs:
                return _noun_phrase(objs[0])
    return None


# --- naming claimants --------------------------------------------------------------


def _entity_text(token: Token) -> str:
    if token.ent_type_:
        ent = next((e for e in token.doc.ents if e.start <= token.i < e.end), None)
        if ent is not None:
            return ent.text
    return token.text


class _Resolver:
    """Resolves pronouns, descriptions, acronyms and surnames to earlier full names."""

    def __init__(self, doc: Doc, text: str) -> None:
        self.doc = doc
        self.text = text
        self.ents = [e for e in doc.ents if e.label_ in ("PERSON", *GROUP_LABELS)]
        self.starts = [e.start_char for e in self.ents]
        # The small model often labels foreign names oddly; any all-proper-noun entity of
        # two or more words may be a person's full name.
        self.full_names = [
            e.text
            for e in doc.ents
            if len(e) > 1 and all(t.pos_ == "PROPN" for t in e) and e.label_ not in GROUP_LABELS
        ]
        self.acronyms = self._acronyms()
        self.described: list[tuple[int, str, str]] = []  # (position, head lemma, name)

    def _acronyms(self) -> dict[str, str]:
        # "Seoul's National Intelligence Service (NIS)" names NIS.
        found: dict[str, str] = {}
        for m in _ACRONYM.finditer(self.text):
            before = [e for e in self.ents if 0 <= m.start() - e.end_char <= 2]
            if before:
                found.setdefault(m.group(1), before[-1].text)
        return found

    def name(self, mention: SpacySpan) -> str:
        """The best name for `mention`, falling back to its own words."""
        name = self._name(mention)
        if mention.root.pos_ == "NOUN":
            self.described.append((mention.start_char, mention.root.lemma_, name))
        return name

    def _name(self, mention: SpacySpan) -> str:
        head = mention.root
        lower = head.lower_
        if head.tag_ in ("WP", "WDT") and head.head.dep_ == "relcl":
            # "Aguilar, who said ...": the relative clause's noun is the claimant.
            return self._name(_noun_phrase(head.head.head, core_only=True))
        if head.pos_ == "PRON" and lower in PERSON_PRONOUNS:
            return self._recent(mention.start_char, {"PERSON"}) or mention.text
        if head.pos_ == "PRON" and lower in GROUP_PRONOUNS:
            return self._recent(mention.start_char, GROUP_LABELS - {"GPE"}) or mention.text
        if head.text in self.acronyms:
            return self.acronyms[head.text]
        if head.pos_ == "PROPN":
            return self._full_name(_entity_text(head))
        if mention[0].lower_ in DETERMINERS and head.pos_ == "NOUN":
            found = self._described_as(mention, head)
            if found:
                return found
        words = [t for t in mention if not (t.i == mention.start and t.lower_ in DETERMINERS)]
        return _strip(self.text[words[0].idx : mention.end_char]) if words else mention.text

    def _recent(self, before: int, labels: set[str] | frozenset[str]) -> str | None:
        for ent in reversed(self.ents[: bisect_right(self.starts, before - 1)]):
            if ent.label_ in labels and ent.end_char <= before:
                return self._full_name(ent.text) if ent.label_ == "PERSON" else ent.text
        return None

    def _full_name(self, name: str) -> str:
        # "Budanov" -> "Kyrylo Budanov": the longest name that ends or starts with it.
        words = _strip(name).split()
        best = " ".join(words)
        for full in self.full_names:
            full_words = full.split()
            if (
                len(full_words) > len(words)
                and words
                and (full_words[-len(words) :] == words or full_words[: len(words)] == words)
                and len(full) > len(best)
            ):
                best = full
        return _strip(best)

    def _described_as(self, mention: SpacySpan, head: Token) -> str | None:
        # "the official" -> the claimant last described with that noun; "the spy agency"
        # -> the most recent organisation whose name fits the noun and its modifiers.
        for _, lemma, name in reversed(self.described):
            if lemma == head.lemma_ and name.split()[-1].lower() != head.lower_:
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


def _strip(name: str) -> str:
    name = name.strip(" ,;:'’\"“”")
    return name[:-2] if name.endswith(("'s", "’s")) else name


def _claim(f: _Found, text: str, article: Article, resolver: _Resolver, sentence: int) -> Claim:
    mention = _mention_span(f.subject, text) if f.subject is not None else None
    if f.claimant_text:
        claimant = f.claimant_text
    elif f.subject is not None:
        claimant = resolver.name(f.subject)
    else:
        claimant = "unknown"
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


def _is_org(span: SpacySpan) -> bool:
    return span.root.ent_type_ == "ORG"


def _mention_span(subject: SpacySpan, text: str) -> Span | None:
    trimmed = _trim(text, (subject.start_char, subject.end_char))
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
