"""A claim restated the way a reporter writes it: who, the verb the article used, what,
and which outlet reported it when ("The health minister said on March 3 that the number
could not be more than 5,000, Coast Post reported on March 4, 2025").

Every word of a restatement comes from the cited sentence (the claimant's mention or
resolved name, the cue and what the sentence puts around it, the content) or from the
cited article's metadata (outlet, publication date), so the verifier can hold it to the
sentence it cites. A claim whose parts do not make a sentence (a cue that is no finite
verb, a content that starts or stops inside a clause or holds an attribution of its
own, a claimant that is no name the prose gives) is not restated: the caller quotes the
sentence instead.
"""

from __future__ import annotations

import re
from datetime import date

from spacy.tokens import Doc

from app import facts
from app.claimants import may_name
from app.generate.base import ArticleRef
from app.verify import attributions, claimant_names, form_problems, unasserting
from indexer.models import Claim, Sentence

# AP style, as news writes a date: "Sept. 12, 2016", "March 3, 2025".
_MONTHS = (
    "Jan. Feb. March April May June July Aug. Sept. Oct. Nov. Dec.".split()  # noqa: SIM905
)
PRONOUNS = frozenset(
    "he she they it we i you him her them us me this that who whom whose which".split()  # noqa: SIM905
)
# A dateline opens a wire story: "Seoul [South Korea], February 27 (ANI): ...",
# "WASHINGTON — ...". A name seen only there was not introduced by the prose.
_DATELINE = re.compile(
    r"^[^.!?\n]{0,80}?\([A-Z][\w .&-]{0,30}\)\s*[:—–-]\s*|^[A-Z][A-Z .,'-]{2,40}\s*[—–-]+\s*"
)
# Between a cue and its content, what a reporter keeps ("told CNN on Friday that"); longer
# stretches hold another clause.
_MAX_BRIDGE = 100
# Tags of a finite verb or auxiliary: a cue that can take the claimant as its subject.
_FINITE = frozenset({"VBD", "VBZ", "VBP", "MD"})
_QUOTES = "\"“”'‘’"
_END_PUNCT = " ,;:.—–-"


def written_date(iso: str | None) -> str | None:
    """An ISO date as a reporter writes it ("2016-09-12" -> "Sept. 12, 2016")."""
    if not iso:
        return None
    try:
        d = date.fromisoformat(iso[:10])
    except ValueError:
        return None
    return f"{_MONTHS[d.month - 1]} {d.day}, {d.year}"


def article_context(outlet: str | None, published: str | None) -> tuple[str, ...]:
    """What a citation's article says of itself, in the forms an answer may write it: its
    outlet, and its date as stored and as written."""
    return tuple(x for x in (outlet, published, written_date(published)) if x)


def byline(article: ArticleRef, claimant: str = "") -> str:
    """ ", Coast Post reported on May 3, 2025": who published the claim, and when; the
    outlet is left out when it is the claimant itself."""
    when = written_date(article.published)
    outlet = (
        article.outlet if article.outlet and article.outlet.lower() != claimant.lower() else None
    )
    if outlet and when:
        return f", {outlet} reported on {when}"
    if outlet:
        return f", {outlet} reported"
    return f", in a report of {when}" if when else ""


def bylined(text: str, claims: list[Claim], article: ArticleRef) -> str:
    """An answer sentence with who published it and when (in place of a dateline), where
    the verifier can still hold it to its citation: every claimant it names ("X said") is
    one of its claims' or the outlet, and it is a statement (a quoted question or order is
    left as quoted)."""
    # The byline says where and when; a wire dateline before the sentence said it too.
    text = capital(_DATELINE.sub("", text))
    names = [*claimant_names(claims), *article_context(article.outlet, None)]
    if form_problems(text, []) or not all(
        any(may_name(who, n) for n in names) for who in attributions(text)
    ):
        return text
    claimant = claims[0].claimant if claims else ""
    return f"{_unpunctuated(text)}{byline(article, claimant)}."


def prose_text(sentences: list[Sentence], headline: set[tuple[str, int]]) -> dict[str, str]:
    """Per article, the text of its sentences that are prose: no headline, no dateline."""
    out: dict[str, list[str]] = {}
    for s in sentences:
        if (s.article_id, s.idx) not in headline:
            out.setdefault(s.article_id, []).append(_DATELINE.sub("", s.text))
    return {k: " ".join(v) for k, v in out.items()}


def is_name(claimant: str, prose: str) -> bool:
    """Whether a claimant is one the report's prose introduced: a name written in one of
    its sentences, not only in its headline or dateline (where title case makes any words
    look like a name), or a description the prose itself uses ("the harbour authority")."""
    names = [w for w in claimant.split() if w[:1].isupper() and w.lower() not in PRONOUNS]
    if names:
        return any(w in prose for w in names)
    return (
        bool(claimant.strip())
        and claimant.lower() not in PRONOUNS
        and claimant.lower() in prose.lower()
    )


def speaker(sentence: Sentence, claim: Claim, prose: str) -> str | None:
    """How the restatement names the claimant: the words the sentence uses when they name
    them ("The NIS", "the country's health minister"), the resolved name for a pronoun,
    both for a description that hides a name ("The official (Kyrylo Budanov)"); None when
    the claimant is no name the prose gives."""
    if not claim.has_claimant:
        return None
    mention = claim.claimant_mention
    inside = mention is not None and sentence.start <= mention.start < mention.end <= sentence.end
    said = _balanced(mention.text) if mention is not None and inside else ""
    # "many of whom", "some of which": a relative pronoun stands for someone named before.
    if not said or any(w in PRONOUNS for w in said.lower().split()[-1:]):
        return claim.claimant if is_name(claim.claimant, prose) else None
    # A mention with an apposition ("Kevin Barrett, a lawyer at ..."): what comes before
    # it is what a reporter writes before the verb.
    said = said.split(",")[0]
    if claim.claimant.lower() in said.lower() or not is_name(claim.claimant, prose):
        return said
    if names_itself(said):
        return said  # a name of its own ("The NIS", "Budanov")
    return f"{said} ({claim.claimant})"


def _balanced(words: str) -> str:
    """Words without an opening parenthesis left unclosed ("the agency (NIS")."""
    return re.sub(r"\s*\([^)]*$", "", words).strip(" ,")


def names_itself(mention: str) -> bool:
    """Whether words a text uses for a claimant are a name ("The NIS", "Budanov"), not a
    description ("the official") or a pronoun."""
    words = mention.split()
    return any(w[:1].isupper() for w in words[1:]) or (
        len(words) == 1 and words[0][:1].isupper() and words[0].lower() not in PRONOUNS
    )


def capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def reported(sentence: Sentence, claim: Claim, article: ArticleRef, prose: str) -> str | None:
    """The claim restated as "<claimant> <cue> <content>, <outlet> reported on <date>.",
    or None when its parts do not make that sentence."""
    s0, text = sentence.start, sentence.text
    cue, content = claim.cue, claim.content
    if not (
        s0 <= cue.start < cue.end <= sentence.end
        and s0 <= content.start < content.end <= sentence.end
    ):
        return None
    after = re.match(r"\s*", text[content.end - s0 :])
    nxt = content.end + (after.end() if after else 0)
    attribution = {claim.cue.start, claim.claimant_mention.start if claim.claimant_mention else -1}
    if re.match(r"\w", text[nxt - s0 :]) and nxt not in attribution:
        return None  # the content stops inside a clause ("should he" of "should he fail")
    if (
        content.start <= cue.start < content.end
        or _mentions(claim, content.start, content.end)
        or attributions(content.text)
    ):
        return None  # the content holds an attribution of its own: restated, it would
        # credit its claimant with what another said
    who = speaker(sentence, claim, prose)
    if who is None:
        return None
    doc = facts.parsed(text)
    if unasserting(doc, min(cue.start, content.start) - s0, max(cue.end, content.end) - s0):
        return None  # "If Mr. Trump had any intention of ...", "never said": said of
        # the claim, the "if" or the "never" left behind, it would state the opposite
    before = text[: content.start - s0].rstrip()
    if content.end <= cue.start and before and before[-1] not in ",;:—–-(\"“‘'":
        return None  # the content starts inside a clause ("the veto" of "if the veto")
    quoted = claim.kind == "direct"
    said = _content(doc, content.start - s0, content.end - s0, lower=not quoted)
    if (said[:1] in _QUOTES) != (said[-1:] in _QUOTES):
        return None  # a quotation cut short at one end
    if quoted and said[:1] not in _QUOTES:
        said = f"“{said}”"
    if claim.kind == "according_to":
        body = f"According to {who}, {said}"
    elif not _finite(doc, cue.start - s0) or text[cue.start - s0] in "’'":
        return None
    elif content.start >= cue.end:
        who = capital(who)
        bridge = text[cue.start - s0 : content.start - s0]
        if len(bridge) > _MAX_BRIDGE or _mentions(claim, cue.end, content.start):
            return None
        body = f"{who} {bridge}{said}"
    elif content.end <= cue.start:
        who = capital(who)
        body = f"{who} {_tail(text, claim, s0)}{_joiner(said)}{said}"
    else:
        return None
    return f"{_unpunctuated(body)}{byline(article, claim.claimant)}."


def _finite(doc: Doc, offset: int) -> bool:
    token = next((t for t in doc if t.idx <= offset < t.idx + len(t)), None)
    return token is not None and token.tag_ in _FINITE


def _mentions(claim: Claim, start: int, end: int) -> bool:
    m = claim.claimant_mention
    return m is not None and start <= m.start < end


def _content(doc: Doc, start: int, end: int, lower: bool) -> str:
    """The content as a clause that follows a verb: its first word in lower case unless it
    is a name, its closing punctuation gone ("..., it should be allowed to expire,\"")."""
    text = doc.text[start:end].strip()
    first = next((t for t in doc if t.idx >= start and not t.is_punct), None)
    if lower and first is not None and first.idx == start and _lowerable(first.text, first.pos_):
        text = text[:1].lower() + text[1:]
    if text[-1:] in _QUOTES and text[-2:-1] in ",;:":
        text = text[:-2] + text[-1]
    return text.rstrip(_END_PUNCT)


def _lowerable(word: str, pos: str) -> bool:
    return pos not in ("PROPN", "NUM") and word != "I" and not word.isupper()


def _tail(text: str, claim: Claim, s0: int) -> str:
    """What follows a cue that comes after its content, up to the next clause: "said in
    an interview published on Feb. 4", "claimed on Feb. 27"; the mention after the cue
    ("said Kevin Barrett, a lawyer ...") is left out, the speaker already leads."""
    start, end = claim.cue.start - s0, len(text)
    m = claim.claimant_mention
    if m is not None and m.start - s0 >= claim.cue.end - s0:
        end = m.start - s0
    tail = text[start:end]
    cut = re.search(r"[,;:—(]", tail[len(claim.cue.text) :])
    if cut:
        tail = tail[: len(claim.cue.text) + cut.start()]
    return tail.rstrip(_END_PUNCT)


def _joiner(said: str) -> str:
    """A quotation follows its verb after a colon; reported speech after "that"."""
    return ": " if said[:1] in _QUOTES else " that "


def _unpunctuated(text: str) -> str:
    """The text without closing punctuation, a closing quotation mark kept."""
    text = text.rstrip(_END_PUNCT)
    if text[-1:] in _QUOTES and text[-2:-1] in ",.;:":
        text = text[:-2] + text[-1]
    return text
