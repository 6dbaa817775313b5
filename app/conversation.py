"""Conversations: the question a follow-up turn really asks.

"And what did Zelensky say?" after "Who says North Korea sent more troops to Russia?" is
searched with the earlier question's content words added, so retrieval finds Zelensky's
claims about the troops, not everything Zelensky said.
"""

from __future__ import annotations

import re

from spacy.lang.en.stop_words import STOP_WORDS

# A follow-up opens like one, points back with a pronoun, or names too little to search on.
_OPENERS = re.compile(r"^(and|but|also|so|then|what about|how about|and what about)\b", re.I)
_ANAPHORA = re.compile(
    r"\b(he|she|they|it|him|her|them|his|hers|its|their|theirs|this|that|these|those|there)\b",
    re.I,
)
# Cue verbs say nothing about the topic; the question's own cue stands.
_CUE = re.compile(r"say|says|said|claim(s|ed)?|report(s|ed)?|tell|told|think(s)?|believes?", re.I)
_WORD = re.compile(r"[\w'’-]+")


def standalone_question(turns: list[str]) -> str:
    """The last user turn, with the content words of the turn before it added when it is a
    follow-up ("And what did Zelensky say?" after a question about North Korean troops)."""
    question = turns[-1]
    if len(turns) < 2 or not _follows_up(question):
        return question
    have = {w.lower() for w in _WORD.findall(question)}
    context: list[str] = []
    for word in _content_words(standalone_question(turns[:-1])):
        if word.lower() not in have:
            have.add(word.lower())
            context.append(word)
    return f"{question} ({' '.join(context)})" if context else question


def _content_words(text: str) -> list[str]:
    return [w for w in _WORD.findall(text) if w.lower() not in STOP_WORDS and not _CUE.fullmatch(w)]


def _follows_up(question: str) -> bool:
    return (
        bool(_OPENERS.match(question.strip()) or _ANAPHORA.search(question))
        or len(_content_words(question)) < 2
    )
