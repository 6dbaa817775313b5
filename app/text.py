"""Content words, as the verifier, the conflict finder and the extractive generator compare
them: lower case, no possessive, no stop word (spaCy's list, the project's one), and
reduced to a Snowball stem so that "casualties" meets "casualty" and "killed" "kills"."""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

import Stemmer
from spacy.lang.en.stop_words import STOP_WORDS

WORD = re.compile(r"[^\W\d_][\w'’-]*")
POSSESSIVE = re.compile(r"['’]s?$")
STOP = frozenset(STOP_WORDS)


@lru_cache(maxsize=1)
def stemmer() -> Stemmer.Stemmer:
    """The English Snowball stemmer, shared with the BM25 index's tokeniser."""
    return Stemmer.Stemmer("english")


def key(word: str) -> str:
    """A word as compared: lower case, without a possessive."""
    return POSSESSIVE.sub("", word.replace("’", "'")).lower()


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    return str(stemmer().stemWord(word.lower()))


def content_words(text: str, stop: Iterable[str] = ()) -> list[str]:
    """The words of `text` that carry content (keys, in order), less `stop` words too."""
    extra = frozenset(stop)
    return [k for k in _content_keys(text) if k not in extra]


@lru_cache(maxsize=16_384)
def _content_keys(text: str) -> tuple[str, ...]:
    # Kept per text: each question reads the words of every retrieved passage again.
    return tuple(k for w in WORD.findall(text) if len(k := key(w)) > 2 and k not in STOP)
