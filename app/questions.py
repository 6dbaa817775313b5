"""Questions about disagreements: whether one asks whether sources disagree, or how many
(each figure of a conflict is an answer to it); the conflict finder reports a conflict
bearing on the answer more readily when the question asks about it."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from app import facts
from indexer.claims import DENYING

if TYPE_CHECKING:
    from app.conflicts import Conflict

# Verbs of a question that asks whether sources disagree ("Do the sources agree on ...?",
# "Who denied ...?"): the extractor's denial verbs and those of agreeing and differing.
_DISAGREEING = DENYING | {
    "agree",
    "disagree",
    "differ",
    "conflict",
    "contradict",
    "contest",
    "challenge",
    "rebut",
}


_FIGURE_QUESTION = re.compile(r"\bhow (?:many|much)\b|\b(?:number|toll|figure)\b", re.I)


def asks_for_figures(question: str) -> bool:
    """Whether a question asks how many or how much: its answer is a figure."""
    return bool(_FIGURE_QUESTION.search(question))


def asks_who(question: str) -> bool:
    """Whether a question asks who said something ("Who said that ...?", "Whom did ...
    quote?"): its answer is one claim's claimant, not what the claim is worth."""
    doc = facts.tagged(question)
    return len(doc) > 0 and doc[0].lower_ in ("who", "whom")


def asked_about(conflict: Conflict, question: str) -> bool:
    """Whether a question asks about a conflict: about a disagreement, or, for figures
    that disagree, how many (each figure is an answer)."""
    return asks_about_disagreement(question) or (
        conflict.kind in ("figures", "revision") and asks_for_figures(question)
    )


def asks_about_disagreement(question: str) -> bool:
    """Whether a question asks about a disagreement (by its lemmas, so "disputed",
    "disagreement" and "denies" all count), or whether something holds ("Have North
    Korean troops left the front line?": a question opening with an auxiliary), which
    sources that disagree both answer; not only who said one thing."""
    doc = facts.tagged(question)
    return (len(doc) > 0 and doc[0].pos_ == "AUX") or any(
        t.lemma_.lower() in _DISAGREEING or t.lower_.removesuffix("ment") in _DISAGREEING
        for t in doc
    )
