"""The offline default: an answer composed of the retrieved sentences themselves.

Each answer sentence is one article sentence, cited whole to its exact offsets. When the
question asks who said something, what someone said, or how many, a sentence's claim is
restated as a reporter writes it, with its claimant, outlet and date ("The NIS estimated
that about 300 were killed ..., ANI reported on Feb. 27, 2025"; `reporting`), and the
sentences holding the positions of one disagreement stand side by side; a sentence whose
claim cannot be restated is quoted whole with its byline. Otherwise sentences are quoted
whole, figures and dates as stated, and a claim's claimant is written in where the
sentence only says "he" or "the agency" ("Kyrylo Budanov said ...", "The agency
(National Intelligence Service) said ..."). When the question is about who said what,
sentences holding claims rank higher, and those by a claimant the question names come
first; a "how many" question is answered first by a sentence that gives a figure.
Headlines and bylines are not sentences of the report and are left out.
"""

from __future__ import annotations

import re

import numpy as np
from spacy.lang.en.lex_attrs import like_num

from app.claimants import asks_about_claims, names_in_question, names_match
from app.conflicts import ConflictFinder, Found, locate
from app.generate.base import Answer, ArticleRef, Citation, ClaimUse, Passage
from app.generate.markers import defuse
from app.generate.reporting import (
    PRONOUNS,
    bylined,
    capital,
    is_name,
    names_itself,
    prose_text,
    reported,
)
from app.questions import asked_about, asks_for_figures
from app.text import content_words, stem
from app.verify import form_problems
from indexer.embed import TextEncoder
from indexer.models import Claim, Sentence

NOTHING_FOUND = "The indexed articles hold nothing on this question."
# Two picked sentences this similar say the same thing (e.g. a wire story reprinted).
_DUPLICATE = 0.92
# Sentences much weaker than the best one are off the question's point.
_MARGIN = 0.15
# A sentence holding a claim by the claimant the question names outranks mere topic
# similarity; one holding any claim gets a nudge when the question asks who said what.
_NAMED_BOOST = 0.3
_CLAIM_BOOST = 0.05
# "How many ...?": the sentence that gives a figure answers it; it leads the answer.
_FIGURE_BOOST = 0.15
_QUOTE_MARKS = '"“”'
_HEADLINE_QUESTION = re.compile(r"\b(?:headlines?|title)\b", re.IGNORECASE)


class ExtractiveGenerator:
    name = "extractive"

    def __init__(self, embedder: TextEncoder, min_similarity: float, max_sentences: int) -> None:
        self.embedder = embedder
        self.min_similarity = min_similarity
        self.max_sentences = max_sentences

    def _grouped(
        self,
        picked: list[int],
        candidates: list[tuple[Sentence, ArticleRef, list[Claim]]],
        found: list[Found],
        others: bool,
    ) -> list[int]:
        """The picked sentences with the positions of each disagreement they take part in
        side by side: after a sentence, the sentences holding the other positions of its
        conflicts (`app.conflicts`), so that each side is stated with its claimant; with
        `others`, also those positions' sentences that were not picked."""
        where = {(s.article_id, s.idx): i for i, (s, _, _) in enumerate(candidates)}
        groups = [
            [
                where[k]
                for loc in locs
                if (k := (loc.sentence.article_id, loc.sentence.idx)) in where
            ]
            for _, locs in found
        ]
        order: list[int] = []
        for i in picked:
            for j in [i, *(j for g in groups if i in g for j in g)]:
                if j not in order and (others or j in picked):
                    order.append(j)
        return order

    def generate(self, question: str, passages: list[Passage]) -> Answer:
        candidates = _unique_sentences(passages)
        if not candidates:
            return Answer(NOTHING_FOUND, [], self.name)
        vectors = self.embedder.embed([question] + [s.text for s, _, _ in candidates])
        similarity = vectors[1:] @ vectors[0]
        about_claims = asks_about_claims(question)
        names = names_in_question(question)
        named = np.array(
            [any(names_match(n, c) for n in names for c in claims) for _, _, claims in candidates]
        )
        has_claims = np.array([bool(claims) for _, _, claims in candidates])
        figure_question = asks_for_figures(question)
        scores = (
            similarity + _NAMED_BOOST * named + (_CLAIM_BOOST * has_claims if about_claims else 0)
        )
        if figure_question:
            scores = scores + _FIGURE_BOOST * np.array(
                [_holds_figure(s.text) for s, _, _ in candidates]
            )
        headlines = [_headline(s, passages) for s, _, _ in candidates]
        if not _HEADLINE_QUESTION.search(question):
            # A headline or byline is no sentence of the report: it restates it without
            # the claimant, date or qualification that the sentence gives.
            prose = ~np.array(headlines)
            if prose.any():
                scores = np.where(prose, scores, -np.inf)
                similarity = np.where(prose, similarity, -np.inf)
                named = named & prose
        if named.any():
            # The question names a claimant the ledger knows: answer with their claims.
            scores = np.where(named, scores, -1.0)
        elif float(similarity.max()) < self.min_similarity:
            return Answer(NOTHING_FOUND, [], self.name)
        elif missing := uncovered(question, passages):
            return Answer(f"{NOTHING_FOUND} Nothing retrieved mentions {missing}.", [], self.name)
        best = float(scores.max())
        picked: list[int] = []
        for i in np.argsort(-scores, kind="stable"):
            if not np.isfinite(scores[i]):
                break
            floor = self.min_similarity if not named[i] else -0.5
            if scores[i] < max(floor, best - _MARGIN - (_NAMED_BOOST if named[i] else 0)):
                break
            if any(float(vectors[1 + i] @ vectors[1 + j]) > _DUPLICATE for j in picked):
                continue
            picked.append(int(i))
            if len(picked) == self.max_sentences:
                break
        found: list[Found] | None = None
        if about_claims or figure_question:
            # A question naming a claimant is answered with their claims; the other sides
            # of a disagreement the question asks about still come from the conflict finder.
            found = ConflictFinder(self.embedder).conflicts(locate(passages))
            asked = [f for f in found if asked_about(f[0], question)]
            picked = self._grouped(picked, candidates, asked, others=not named.any())
        prose_of = prose_text(
            [s for s, _, _ in candidates],
            {
                (s.article_id, s.idx)
                for (s, _, _), h in zip(candidates, headlines, strict=True)
                if h
            },
        )
        parts: list[str] = []
        citations: list[Citation] = []
        uses: list[ClaimUse] = []
        for i in picked:
            sentence, article, claims = candidates[i]
            n = len(citations) + 1
            citations.append(Citation(n, article, sentence.start, sentence.end, sentence.text))
            said = prose_of.get(sentence.article_id, "")
            restated = (
                restatement(question, sentence, article, claims, said, names)
                if about_claims or figure_question
                else None
            )
            if restated is not None:
                text, claim = restated
                parts.append(f"{defuse(text)} [{n}]")
                # The restated claim, and the claims its content carries ("sources told
                # POLITICO that Republicans were incensed ...").
                uses += [ClaimUse(c, n) for c in claims if c is claim or _within(c, claim)]
            else:
                text = attributed(sentence, claims, said)
                if about_claims or figure_question:
                    text = bylined(text, claims, article)
                # "[2]" written in an article is data, not a citation of the answer's.
                parts.append(f"{defuse(text)} [{n}]")
                uses.extend(ClaimUse(c, n) for c in claims)
        return Answer(" ".join(parts), citations, self.name, claims=uses, conflicts=found)


# Words that frame a question rather than name what it is about ("on what date", "do the
# sources agree", "in total"): an article need not contain them to answer it.
_FRAMING = frozenset(
    """date day year time long first total overall number amount sources source agree
    agreement disagree known position explain explains explanation reason happen happened
    left mean means think view happen according claim claims said say says told tell report
    reports reported""".split()  # noqa: SIM905
)


def uncovered(question: str, passages: list[Passage]) -> str | None:
    """What the question asks about that no retrieved passage mentions, when that makes the
    question unanswerable here: a name, or two or more content words. Similarity alone
    cannot tell "How many soldiers has Ukraine taken prisoner?" from an answerable
    question when the passages are about the same soldiers."""
    have = {stem(w) for p in passages for w in content_words(p.chunk.text)}
    words = content_words(question, _FRAMING)
    missing = list(dict.fromkeys(w for w in words if stem(w) not in have))
    names = [w for w in missing if _capitalised(question, w)]
    if names or len(missing) >= 2:
        return ", ".join(f'"{w}"' for w in missing)
    return None


def _headline(sentence: Sentence, passages: list[Passage]) -> bool:
    """Whether the sentence is a whole line of its article that reads as a headline."""
    return next((p.headline(sentence) for p in passages if p.holds(sentence)), False)


def _holds_figure(text: str) -> bool:
    return any(like_num(w.strip(",.;:()%$")) for w in text.split())  # type: ignore[no-untyped-call]


def _capitalised(question: str, word: str) -> bool:
    """Whether `word` is written with a capital inside the question (a name, not the first word)."""
    return any(
        m.start() > 0 and m.group(0)[0].isupper()
        for m in re.finditer(rf"\b{re.escape(word)}\b", question, re.IGNORECASE)
    )


def attributed(sentence: Sentence, claims: list[Claim], prose: str) -> str:
    """The sentence with its claimant named where it says only "he" or "the agency", the
    way a reporter would write it ("The harbour authority added that ..."; "The official
    (Kyrylo Budanov) said ..."); the rest is left as stated, figures and dates included. A
    sentence that names one of its claimants is left as it is: a nested claim's resolved
    pronoun ("... daring him to say ...") is not who the sentence is attributed to. Only a
    name the article's prose gives (`prose`) stands in: never a headline's title-case
    words, a dateline or a description."""
    text = sentence.text
    if any(_names(c, sentence) for c in claims):
        return text
    for claim in claims:
        if claim.claimant.lower() in text.lower() or not is_name(claim.claimant, prose):
            continue
        if claim.sentence_idx != sentence.idx:
            # A sentence inside a quotation whose attribution another sentence holds: the
            # claimant's own words, first person and all ("I think ..."), quoted as theirs;
            # a quoted question stays as the article quotes it, the claim still credits it.
            said = f"{capital(claim.claimant)} said: “{_unquoted(text)}”"
            return text if form_problems(said, [text], [claim.claimant]) else said
        mention = claim.claimant_mention
        if mention is None or not sentence.start <= mention.start < mention.end <= sentence.end:
            return f"According to {claim.claimant}: {text}"
        start, end = mention.start - sentence.start, mention.end - sentence.start
        if mention.text.lower() in PRONOUNS:
            who = claim.claimant if start else capital(claim.claimant)
        else:
            who = f"{mention.text} ({claim.claimant})"
        return text[:start] + who + text[end:]
    return text


def restatement(
    question: str,
    sentence: Sentence,
    article: ArticleRef,
    claims: list[Claim],
    prose: str,
    names: list[str],
) -> tuple[str, Claim] | None:
    """The sentence's claim that answers the question, restated as a reporter would
    (`reporting.reported`), with that claim; None when none of its claims can be."""
    asked = {stem(w) for w in content_words(question, _FRAMING)}
    figure = asks_for_figures(question)

    def rank(claim: Claim) -> tuple[float, int]:
        said = {stem(w) for w in content_words(claim.content.text)}
        score = len(asked & said) / len(asked) if asked else 0.0
        score += 1.0 if any(names_match(n, claim) for n in names) else 0.0
        score += 0.5 if figure and _holds_figure(claim.content.text) else 0.0
        return score, len(claim.content.text)

    def covered(text: str) -> int:
        return len(asked & {stem(w) for w in content_words(text)})

    # A restatement of part of the sentence must keep what the question asks about: "About
    # 12,000 soldiers have been sent, according to officials, who say 4,000 were killed"
    # answers "Who says troops were sent?" only whole.
    whole = covered(sentence.text)
    for claim in sorted(claims, key=rank, reverse=True):
        if any(
            o.claimant == claim.claimant
            and not claim.content.start <= o.content.start < o.content.end <= claim.content.end
            for o in claims
        ):
            # The claimant says more in this sentence (", adding that ..."): it is quoted
            # whole rather than cut to one of their claims.
            continue
        text = reported(sentence, claim, article, prose)
        if text is not None and covered(text) >= whole:
            return text, claim
    return None


def _within(inner: Claim, outer: Claim) -> bool:
    span = outer.content
    return span.start <= inner.cue.start and inner.content.end <= span.end


def _names(claim: Claim, sentence: Sentence) -> bool:
    """Whether the claim's mention in the sentence is itself a name ("The NIS", "Budanov")."""
    mention = claim.claimant_mention
    if mention is None or not sentence.start <= mention.start < sentence.end:
        return False
    return names_itself(mention.text) or claim.claimant.lower() in mention.text.lower()


def _unique_sentences(
    passages: list[Passage],
) -> list[tuple[Sentence, ArticleRef, list[Claim]]]:
    """Every sentence of the passages once (overlapping chunks share sentences), with its
    claims: those made in it, then those whose content holds most of it (a quotation
    running over sentences, "... this is your thought. Own it," Lynch said.), so that a
    sentence inside someone's quotation is theirs."""
    seen: set[tuple[str, int]] = set()
    out: list[tuple[Sentence, ArticleRef, list[Claim]]] = []
    for p in passages:
        for s in p.sentences:
            key = (s.article_id, s.idx)
            if key in seen:
                continue
            seen.add(key)
            own = [c for c in p.claims if c.sentence_idx == s.idx]
            quoting = [c for c in p.claims if c.sentence_idx != s.idx and _holds(c, s)]
            out.append((s, p.article, own + quoting))
    return out


def _unquoted(text: str) -> str:
    """A piece of a quotation without the quotation marks (and the comma before a closing
    one) that open or close it: `"I think ... thought.` -> `I think ... thought.`"""
    text = text.strip().strip(_QUOTE_MARKS).strip()
    return text.rstrip(",;:") if text.endswith((",", ";", ":")) else text


def _holds(claim: Claim, sentence: Sentence) -> bool:
    """Whether the claim's content holds at least half of the sentence."""
    span = claim.content
    shared = min(span.end, sentence.end) - max(span.start, sentence.start)
    return 2 * shared >= sentence.end - sentence.start
