"""Content words, as the verifier, the conflict finder and the extractive generator compare
them: lower case, no possessive, no stop word, cut to a five-letter stem."""

from __future__ import annotations

import re
from collections.abc import Iterable

from spacy.lang.en.stop_words import STOP_WORDS

WORD = re.compile(r"[^\W\d_][\w'’-]*")
POSSESSIVE = re.compile(r"['’]s?$")
STOP = frozenset(STOP_WORDS)


def key(word: str) -> str:
    """A word as compared: lower case, without a possessive."""
    return POSSESSIVE.sub("", word.replace("’", "'")).lower()


def stem(word: str) -> str:
    # Five letters are enough to tie "casualties" to "casualty" and "killed" to "kill"s.
    return word[:5]


def content_words(text: str, stop: Iterable[str] = ()) -> list[str]:
    """The words of `text` that carry content (keys, in order), less `stop` words too."""
    extra = frozenset(stop)
    return [
        k for w in WORD.findall(text) if len(k := key(w)) > 2 and k not in STOP and k not in extra
    ]


def stems(text: str, stop: Iterable[str] = ()) -> set[str]:
    return {stem(w) for w in content_words(text, stop)}
