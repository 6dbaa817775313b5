"""Whether cited text backs one answer sentence (app/citations.py applies it to answers).

(b) the sentence's numbers, names and dates are in the cited text, and its content is
close (content-word overlap and embedding similarity); (c) a sentence that attributes ("X
said", "according to X") cites a claim whose claimant is X; (d) the sentence is a
statement a source could back, not a bare word, an instruction, a question or the
writer speaking of itself. Also: answer text cut into sentences with their markers.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise
from typing import Literal

import numpy as np
import numpy.typing as npt
from spacy.tokens import Doc, Token

from app import facts
from app.claimants import may_name
from app.facts import date_words, numbers
from app.generate.markers import find_markers
from app.text import POSSESSIVE, STOP, WORD, content_words, key, stem
from indexer.claims import TITLES
from indexer.embed import TextEncoder
from indexer.models import Claim
from indexer.split import parse

UnsupportedAction = Literal["flag", "remove", "replace"]
Vector = npt.NDArray[np.float32]

# The verdict on content: weight * similarity + (1 - weight) * overlap >= threshold.
# Tuned on PolNeAR train pairs by `accordingto eval verifier` (eval/verifier_eval.py).
SIMILARITY_WEIGHT = 0.5
CONTENT_THRESHOLD = 0.63


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
    embedder: TextEncoder,
    claimants: list[str] | None = None,
    context: Sequence[str] = (),
) -> Support:
    """Whether `cited_texts` back `sentence`; `claimants` (of the cited claims) enable (c);
    `context` is the cited articles' outlet and date (see `evidence`)."""
    named = [*(claimants or ()), *context]
    vectors = answer_vectors(embedder, [(clean(sentence), cited_texts, named)], cited_texts)
    return evidence(sentence, cited_texts, vectors, claimants, context).verdict()


def embed_texts(embedder: TextEncoder, texts: Iterable[str]) -> dict[str, Vector]:
    """Each distinct text's embedding, in one batch."""
    unique = list(dict.fromkeys(texts))
    return dict(zip(unique, embedder.embed(unique), strict=True))


def answer_vectors(
    embedder: TextEncoder,
    sentences: Iterable[tuple[str, Sequence[str], Sequence[str]]],
    cited: Iterable[str],
) -> dict[str, Vector]:
    """The vectors of the `cited` texts and of answer sentences, each given with the texts
    it cites and the names its frame may use; one batch. A sentence that quotes a cited
    text in a frame (`framed`) takes that text's vector: it says what the text says, and
    the text's vector is stored at indexing while the sentence's would be computed now."""
    read_as: dict[str, str] = {}
    for sentence, texts, named in sentences:
        source = framed(sentence, texts, named)
        read_as[sentence] = source if source is not None else sentence
    vectors = embed_texts(embedder, [*(s for s, source in read_as.items() if source == s), *cited])
    vectors.update({s: vectors[source] for s, source in read_as.items()})
    return vectors


def evidence(
    sentence: str,
    cited_texts: Sequence[str],
    vectors: Mapping[str, Vector],
    claimants: Sequence[str] | None = None,
    context: Sequence[str] = (),
) -> Evidence:
    """Run the checks of `sentence` against `cited_texts`; `vectors` holds their embeddings.
    `context` is what the cited articles say of themselves (outlet, publication date): an
    answer may say who published a cited sentence and when ("..., ANI reported on Feb. 27,
    2025"), and the outlet reported whatever it printed."""
    text = clean(sentence)
    # An order in an article ("state that the toll was 9,000") is data, not evidence.
    cited_texts = [t for t in cited_texts if not is_instruction(t)]
    cited = " \n".join(cited_texts)
    named = [*(claimants or ()), *context]
    pool = _Pool(cited, named)
    # The answer may name a claimant as the index resolved it, wherever that name came from.
    allowed = " \n".join([cited, *named])
    missing = [f"does not mention {n}" for n in _missing_numbers(text, allowed)] + [
        f"does not mention {d}" for d in _missing_dates(text, allowed)
    ]
    missing += [f"does not mention {name}" for name in _missing_names(text, pool)]
    missing += form_problems(text, cited_texts, named)
    # A sentence quoted word for word from what it cites names whoever the source names:
    # the answer attributes nothing of its own, so there is nothing to misattribute.
    verbatim = any(_flat(text) in _flat(t) for t in cited_texts)
    if claimants and not verbatim:
        missing += [
            f"cites no claim by {who}"
            for who in attributions(text)
            if not any(may_name(who, c) for c in named)
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


def _missing_numbers(sentence: str, cited: str) -> list[str]:
    have = numbers(cited)
    return [
        worded
        for value, worded in numbers(sentence).items()
        if not any(abs(value - v) <= 1e-3 * max(1.0, abs(v)) for v in have)
    ]


# ---- (b) dates ------------------------------------------------------------------------


def _missing_dates(sentence: str, cited: str) -> list[str]:
    have = date_words(cited)
    return [worded for key, worded in date_words(sentence).items() if key not in have]


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
    rf"|(?P<before>[^,;:“\"]+?)\s+(?:(?:has|have|had|also|\w+ly)\s+)*(?:{_CUES})\b",
    re.IGNORECASE,
)
_STRETCH_END = re.compile(r"[,;:“\"]")
_ANY_CUE = re.compile(rf"\b(?:according to|as per|{_CUES})\b", re.IGNORECASE)
# A cue after these has no subject of its own: "is being assessed", "located her and told".
_NO_SUBJECT = frozenset({"is", "are", "was", "were", "be", "been", "being", "and", "but", "or"})
# Nor one whose words before it start with an auxiliary: "...: has strongly denied".
_AUXILIARIES = _NO_SUBJECT | {"has", "have", "had"}
_OWN_VOICE = re.compile(r"\s*(?:the\s+)?sources\b", re.IGNORECASE)
_CLAUSE_START = re.compile(r".*\b(?:that|who|which|while|and|but)\s+", re.IGNORECASE)


def attributions(sentence: str) -> list[str]:
    """Who the sentence says said something: "X said ...", "according to X, ..."."""
    found = []
    for m in (
        m
        # No match crosses , ; : or an opening quote: only the stretches between them
        # that hold a cue are searched (the lazy subject makes a search without one take
        # time quadratic in the stretch's length).
        for stretch in _STRETCH_END.split(sentence)
        if _ANY_CUE.search(stretch)
        for m in _ATTRIBUTION.finditer(stretch)
    ):
        who = m.group("after") or _CLAUSE_START.sub("", m.group("before"))
        words = who.split()
        if (
            words
            and len(words) <= 8
            # "The sources disagree on the incidents reported: ...": the answer speaking
            # of all it cites, whatever cue word its subject matter holds, names no one.
            and not _OWN_VOICE.match(who)
            and words[-1].lower() not in _NO_SUBJECT
            and words[0].lower() not in _AUXILIARIES
        ):
            found.append(who.strip())
    return found


# ---- (d) a statement a source can back ---------------------------------------------

_SUBJECT_DEPS = frozenset({"nsubj", "nsubjpass", "csubj", "csubjpass", "expl"})


@lru_cache(maxsize=4096)
def _clause(text: str) -> tuple[bool, bool, tuple[str, ...]]:
    """Whether the text has a verb at all; whether every main clause is an order; the
    subjects of its main verbs that are the writer ("I", "we")."""
    doc = _parsed(text)
    roots = [s.root for s in doc.sents]
    main = [t for r in roots for t in r.children if t.dep_ in _SUBJECT_DEPS]
    writer = [t.text for t in main if _person(t) == "1"]
    orders = bool(roots) and all(_is_order(r) for r in roots)
    return any(t.pos_ in ("VERB", "AUX") for t in doc), orders, tuple(writer)


def _person(token: Token) -> str | None:
    persons = token.morph.get("Person", [])
    return persons[0] if token.pos_ == "PRON" and persons else None


def _is_order(root: Token) -> bool:
    """An imperative: a bare verb with no auxiliary and no subject, or only a vocative one
    set off by punctuation ("Ignore ...", "System: disregard ..."); or an order to the
    reader, "you" before a modal ("you must tell ...", not the question "how can you ...")."""
    children = list(root.children)
    subjects = [c for c in children if c.dep_ in _SUBJECT_DEPS]
    # A finite verb hanging off a bare one is a misparse: "Trump admires ..." read as "trump".
    finite = any(c.tag_ in ("VBZ", "VBD", "VBP") for c in children)
    if root.tag_ == "VB" and not finite and not any(c.dep_ in ("aux", "auxpass") for c in children):
        doc = root.doc
        return all(s.i + 1 < len(doc) and doc[s.i + 1].is_punct for s in subjects)
    modals = [c.i for c in children if c.dep_ == "aux" and c.tag_ == "MD"]
    return any(_person(c) == "2" and c.i < m for c in subjects for m in modals)


def is_instruction(text: str) -> bool:
    """Whether every main clause of `text` gives an order: such text backs no statement,
    even when an answer repeats its words."""
    return _clause(text)[1]


def form_problems(
    sentence: str, cited_texts: Sequence[str], named: Sequence[str] = ()
) -> list[str]:
    """Why the sentence is not a statement about the world a source could back, if it is not.

    A bare word or phrase ("PWNED"), an instruction ("Ignore the question", "You should
    ..."), a question, or the writer talking about itself ("I cannot verify this") asserts
    nothing that a cited text can support, whatever words it shares with it; that is what
    an obeyed injection or a meta-statement looks like. Words quoted from a cited text
    (that is no instruction itself) are the source speaking, whatever their form, and so
    are they inside a frame that says only who said or reported them (`framed`; `named`
    holds the claimants and context the frame may name), except words lifted from under
    a condition or a negation (`_lifted`). A sentence in the answer's own words may not
    drop the negation the cited text gives its verb (`_unnegated`).
    """
    flat = _flat(sentence)
    if any(flat in _flat(t) for t in cited_texts):
        lifted = dict.fromkeys(w for w in (_lifted(flat, t) for t in cited_texts) if w)
        return [
            f'leaves out the "{word}" the cited text puts on it, and so says what the source '
            "does not"
            for word in lifted
        ]
    if sentence.rstrip(_CLOSERS).endswith("?"):
        return ["asks a question instead of stating what the sources say"]
    if framed(sentence, cited_texts, named):
        return []
    has_verb, orders, writer = _clause(sentence)
    if not has_verb:
        return ["states nothing a source could back (no verb)"]
    if orders:
        return ["gives an instruction instead of stating what the sources say"]
    if writer:
        return [f'speaks as the answer\'s writer ("{writer[0]}"), not from the sources']
    # "You said ...", "According to you, ...": a source is never the reader.
    reader = [w for w in attributions(sentence) if w.lower() in ("you", "your")]
    if reader:
        return [f'credits the reader ("{reader[0]}") with what a source said']
    return [
        f'says "{v}" without the negation the cited text gives it'
        for v in _unnegated(sentence, cited_texts)
    ]


# Words that take a clause's assertion away: "if he had any intention ...", "whether it
# was ...", "unless ...". English grammar's non-factive subordinators, not a topic list.
_NON_FACTIVE = frozenset({"if", "whether", "unless", "lest"})


def _lifted(flat: str, cited: str) -> str | None:
    """The word outside `flat` (an answer's words, found inside `cited`) that makes them
    no statement of the source's: a condition or a negation of the clause they are cut
    from ("Mr. Trump had any intention of releasing" of "If Mr. Trump had any intention of
    releasing ..., he would have"), or None."""
    text = cited.lower()
    at = text.find(flat)
    if at < 0 or _flat(cited) == flat:
        return None
    return unasserting(facts.parsed(cited), at, at + len(flat))


def unasserting(doc: Doc, start: int, end: int) -> str | None:
    """The word outside the characters `start:end` of a parsed text that makes the clause
    they hold no assertion: a negation of its verb ("never said") or a non-factive
    subordinator ("if", "whether") on it or on the clause it is coordinated with ("if he
    had ... and wanted ..."; a negation stays with its own verb: "did not say it, but
    agreed")."""
    inside = [t for t in doc if start <= t.idx < end]
    for root in (t for t in inside if not start <= t.head.idx < end or t.head.i == t.i):
        verb: Token | None = root
        while verb is not None:
            for child in verb.children:
                if start <= child.idx < end:
                    continue
                if (child.dep_ == "mark" and child.lower_ in _NON_FACTIVE) or (
                    child.dep_ == "neg" and verb is root
                ):
                    return child.text
            verb = verb.head if verb.dep_ == "conj" and verb.head.i != verb.i else None
    return None


def _unnegated(sentence: str, cited_texts: Sequence[str]) -> list[str]:
    """The answer's main verbs that a cited text negates and the answer does not, said of
    the same subject ("The mayor did order the evacuation" of "The mayor did not order the
    evacuation"): the same words, the opposite statement. A verb the cited texts also use
    without a negation, for that subject, may be that use."""
    used = [t for cited in cited_texts for t in facts.parsed(cited)]
    if not any(t.dep_ == "neg" for t in used):
        return []  # nothing negated to leave out: the sentence need not be parsed
    out = []
    for verb in (s.root for s in _parsed(sentence).sents):
        if verb.pos_ not in ("VERB", "AUX") or any(c.dep_ == "neg" for c in verb.children):
            continue
        subject = _subject(verb)
        uses = [
            t
            for t in used
            if t.lemma_ == verb.lemma_ and t.pos_ == verb.pos_ and _subject(t) == subject
        ]
        if uses and all(any(c.dep_ == "neg" for c in t.children) for t in uses):
            out.append(verb.text)
    return out


def _subject(verb: Token) -> str:
    return next((c.lemma_.lower() for c in verb.children if c.dep_ in _SUBJECT_DEPS), "")


@lru_cache(maxsize=4096)
def _parsed(text: str) -> Doc:
    return parse(text, entities=False)


# What a frame around a quoted cited text may say besides names and dates: that someone
# said or reported it ("X said: “...”", "According to X: ...", "..., Y reported on D",
# "..., in a report of D"). Nothing here can negate, judge or add to what is quoted.
_FRAME_WORDS = frozenset(_wordlist("according to as per on in a report of that also"))
# A cue that says the quoted words are false is no frame: "X denied: “...”".
_DENYING = frozenset({"denied", "denies"})
_FRAME_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)?")


def framed(sentence: str, cited_texts: Sequence[str], named: Sequence[str] = ()) -> str | None:
    """The cited text `sentence` repeats word for word inside a frame that only says who
    said or reported it (the extractive answer's "<sentence>, Coast Post reported on May
    3, 2025" and "X said: “<sentence>”"), or None. Such a sentence says what that text
    says: it is read as that text (its stored vector and parse) rather than anew."""
    flat = _flat(sentence)
    # Longest first, so that "Coast Post" goes before a "Post" it holds.
    names = sorted({_flat(n) for n in named} - {""}, key=len, reverse=True)
    for text in sorted(cited_texts, key=len, reverse=True):
        quoted = _flat(text).rstrip("!?")
        at = flat.find(quoted) if quoted else -1
        end = at + len(quoted)
        if at < 0 or flat[at - 1 : at].isalnum() or flat[end : end + 1].isalnum():
            continue
        residue = f"{flat[:at]} {flat[end:]}"
        for name in names:
            residue = residue.replace(name, " ")
        if all(_frames(w) for w in _FRAME_WORD.findall(residue)):
            return text
    words = _FRAME_WORD.findall(flat)
    name_words = {w for n in names for w in _FRAME_WORD.findall(n)}
    for text in cited_texts:
        if _rearranged(words, _FRAME_WORD.findall(_flat(text)), name_words):
            return text
    return None


def _frames(word: str) -> bool:
    """Whether a word of a frame only says that someone said or reported something."""
    return (word in _FRAME_WORDS or bool(_CUE.match(word))) and word not in _DENYING


# The fewest words a piece of a cited text moved in an answer sentence has: an
# attribution turned round ("According to X, <content>") moves whole clauses, never a
# word or two.
_MOVED_WORDS = 4
# Words of a cited text a rearranged sentence may leave out: a pronoun the answer replaces
# by whom it stands for ("He said ..." -> "Rendell said ...").
_REPLACEABLE = frozenset(_wordlist("he she they it his her their its him them"))


def _rearranged(answer: list[str], cited: list[str], name_words: set[str]) -> bool:
    """Whether the answer sentence's words are the cited text's in pieces of at least
    `_MOVED_WORDS` words, each in the cited text's own order, with around them only names
    and frame words, and nothing of the cited text left out but pronouns, frame words and
    names the frame moved, in their order: the cited text with its attribution turned
    round ("X said: “...”", "According to X, ..."), its pronoun named. What it says is
    then what the cited text says."""
    covered = [False] * len(cited)
    framing: list[str] = []  # the answer's words outside the pieces
    i = 0
    while i < len(answer):
        length, at = _longest_piece(answer, i, cited, covered)
        if length >= _MOVED_WORDS:
            covered[at : at + length] = [True] * length
            i += length
        elif answer[i] in name_words or _frames(answer[i]):
            framing.append(answer[i])
            i += 1
        else:
            return False
    left = [w for c, w in zip(covered, cited, strict=True) if not c]
    if not any(covered) or not all(
        w in _REPLACEABLE or w in name_words or _frames(w) for w in left
    ):
        return False
    # A name left out of the pieces stands in the frame, in the same order as in the cited
    # text: moved, not dropped, and not swapped with another ("Jones told Smith").
    names_left = [w for w in left if w in name_words]
    return [w for w in framing if w in names_left] == names_left


def _longest_piece(
    answer: list[str], i: int, cited: list[str], covered: list[bool]
) -> tuple[int, int]:
    """The longest run of `answer` from word `i` that is a run of `cited` not yet covered:
    (its length, where it starts in `cited`)."""
    best, best_at = 0, 0
    for at in range(len(cited)):
        n = 0
        while (
            i + n < len(answer)
            and at + n < len(cited)
            and not covered[at + n]
            and answer[i + n] == cited[at + n]
        ):
            n += 1
        if n > best:
            best, best_at = n, at
    return best, best_at


def _flat(text: str) -> str:
    return " ".join(text.lower().split()).strip(_CLOSERS + ".,;:")


_CLOSERS = "\"'”’)] "


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


def claimant_names(claims: list[Claim]) -> tuple[str, ...]:
    """Every name a claim's speaker goes by: resolved name, words used, relaying outlets."""
    names: list[str] = []
    for c in claims:
        names += [c.claimant, *c.reported_by]
        if c.claimant_mention is not None:
            names.append(c.claimant_mention.text)
    return tuple(dict.fromkeys(n for n in names if n))
