"""Conversations: the question a follow-up turn really asks.

"And what did Zelensky say?" after "Who says North Korea sent more troops to Russia?" is
searched with the earlier question's content words added, so retrieval finds Zelensky's
claims about the troops, not everything Zelensky said.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass

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


# Front-end tasks. Open WebUI (and clients copying its prompts) send the chat model a
# "### Task:" prompt with the conversation in <chat_history> and ask for one JSON object
# ({"title": ...}, {"tags": [...]}, {"follow_ups": [...]}, {"queries": [...]}). Answering
# one with a retrieval answer would title every chat "The articles hold nothing on ...".
# LibreChat asks for a bare title: "Provide a concise, 5-word-or-less title for the
# conversation, ...\n\nConversation:\nUser: ...\nAI: ...".
_TASK = re.compile(r"^\s*#+\s*Task:", re.I)
_HISTORY = re.compile(r"<chat_history>(.*?)</chat_history>", re.S | re.I)
_OUTPUT_KEY = re.compile(r'\{\s*"(\w+)"\s*:')
_BARE_TITLE = re.compile(
    r"\b5-word-or-less title for the conversation\b.*?\bConversation:(.*)", re.S | re.I
)
_TURN = re.compile(r"^(USER|ASSISTANT|AI|SYSTEM):[ \t]?", re.M | re.I)
_ROLES = {"ai": "assistant"}
_SOURCES = re.compile(r"\n\s*Sources:\s*\n.*", re.S)
# Who and what a conversation is about: spaCy's named entities of these kinds.
_NAME_LABELS = {"PERSON", "ORG", "GPE", "NORP", "LOC", "FAC", "EVENT"}
_TITLE_WORDS = 5


@dataclass(frozen=True)
class FrontendTask:
    """A front-end's housekeeping request: which JSON key it wants, and the conversation."""

    key: str
    turns: list[tuple[str, str]]  # (role, text), oldest first
    bare: bool = False  # the value alone, not a JSON object (LibreChat's title)

    def user_turns(self) -> list[str]:
        return [text for role, text in self.turns if role == "user"]


def frontend_task(prompt: str) -> FrontendTask | None:
    """The task a front-end's prompt asks for, or None when it is a question for the articles."""
    if bare := _BARE_TITLE.search(prompt):
        return FrontendTask(key="title", turns=_turns(bare.group(1)), bare=True)
    if not _TASK.match(prompt):
        return None
    history = _HISTORY.search(prompt)
    key = _OUTPUT_KEY.search(_HISTORY.sub("", prompt))
    if history is None or key is None:
        return None
    return FrontendTask(key=key.group(1), turns=_turns(history.group(1)))


def _turns(history: str) -> list[tuple[str, str]]:
    parts = _TURN.split(history)
    return [
        (_ROLES.get(role.lower(), role.lower()), text.strip())
        for role, text in zip(parts[1::2], parts[2::2], strict=True)
        if text.strip()
    ]


def task_reply(task: FrontendTask) -> str:
    """The JSON object the task asks for (or the bare title), made from the conversation."""
    questions = task.user_turns()
    topic = _content_words(questions[0]) if questions else []
    value: str | list[str]
    if task.key == "title":
        value = " ".join(topic[:_TITLE_WORDS]) or "News question"
        value = value[:1].upper() + value[1:]
        if task.bare:
            return value
    elif task.key == "tags":
        value = _unique(n for q in questions for n in _names(q))[:3] or topic[:3]
    elif task.key == "follow_ups":
        value = _follow_ups(task)
    elif task.key == "queries":
        value = [standalone_question(questions)] if questions else []
    else:
        return "{}"
    return json.dumps({task.key: value}, ensure_ascii=False)


def _follow_ups(task: FrontendTask) -> list[str]:
    """'What did X say about it?' for the people and organisations in the last answer that
    the questions did not name: the follow-up rule above adds the topic when it is asked."""
    answers = [text for role, text in task.turns if role == "assistant"]
    if not answers:
        return []
    asked = " ".join(task.user_turns()).lower()
    names = _names(_SOURCES.sub("", answers[-1]), {"PERSON", "ORG"})
    return [f"What did {n} say about it?" for n in _unique(names)[:3] if n.lower() not in asked]


def _names(text: str, labels: set[str] = _NAME_LABELS) -> list[str]:
    # Imported here: only front-end tasks need the parser, and loading it takes a second.
    from indexer.split import parse

    return [e.text for e in parse(text).ents if e.label_ in labels]


def _unique(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(items))
