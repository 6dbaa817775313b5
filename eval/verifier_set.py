"""A labelled set for the citation verifier: answer sentences paired with the text they cite.

Each picked article sentence yields one supported pair (the sentence itself, an
"According to X, ..." or "X said that ..." paraphrase of one of its claims, the sentence
with a figure or date written another way, or its first clauses) and one broken pair (a
number changed, the claimant swapped for another claimant of the same article, a date
changed, the sentence citing another random sentence of the corpus, or an invented
statement by a name the cited sentence holds). Everything is drawn from one seeded
random generator over inputs in a fixed order, so a seed always gives the same set.
"""

from __future__ import annotations

import random
import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from app.verify import claimant_names
from indexer.ingest import load_paths
from indexer.models import Article, Claim, Sentence
from indexer.resolve import extract_claims
from indexer.split import parse, sentences

SAMPLES = Path(__file__).resolve().parents[1] / "samples"
SUPPORTED_KINDS = ("verbatim", "attributed", "reformatted", "trimmed")
BROKEN_KINDS = ("number", "claimant", "date", "wrong_citation", "invented")
# Statements no news sentence backs, put in the mouth of someone the cited sentence names.
INVENTED = (
    "said the talks would resume next month in Geneva",
    "announced a plan to build a new stadium downtown",
    "denied any role in the decision to close the factory",
    "praised the new trade agreement with its neighbours",
    "warned that fuel prices would rise sharply over the winter",
    "promised to publish the full report by the end of the year",
    "called for an independent inquiry into the payments",
    "confirmed that the meeting had been postponed indefinitely",
)
_MONTHS = (
    *("January", "February", "March", "April", "May", "June", "July"),
    *("August", "September", "October", "November", "December"),
)
_MONTH = re.compile(r"\b(" + "|".join(_MONTHS) + r"|(?:Jan|Feb|Mar|Apr|Aug|Sept|Oct|Nov|Dec)\.)")
_WEEKDAY = re.compile(r"\b(Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day\b")
_YEAR = re.compile(r"\b(19[5-9]\d|20[0-4]\d)\b")
_FIGURE = re.compile(r"(?<![\w.,])\d{1,3}(?:,\d{3})+(?!\d)|(?<![\w.,])\d+(?![\w.,]\d)")
_NAME = re.compile(r"[A-Z][\w'’-]+")


@dataclass(frozen=True)
class Pair:
    """An answer sentence, the texts it cites, their claimants, and the gold label."""

    sentence: str
    cited: tuple[str, ...]
    claimants: tuple[str, ...]
    supported: bool
    kind: str
    source: str  # "<corpus>:<article id>"

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, row: dict[str, Any]) -> Pair:
        return cls(
            row["sentence"],
            tuple(row["cited"]),
            tuple(row["claimants"]),
            bool(row["supported"]),
            row["kind"],
            row["source"],
        )


@dataclass(frozen=True)
class Source:
    """An article as the indexer sees it: its sentences and its claims."""

    corpus: str
    article: Article
    sentences: list[Sentence]
    claims: list[Claim]

    def claims_in(self, sentence: Sentence) -> list[Claim]:
        return [c for c in self.claims if c.sentence_idx == sentence.idx]


def analyse(articles: Iterable[Article], corpus: str) -> list[Source]:
    """Split and extract claims as the indexer does."""
    out = []
    for article in articles:
        doc = parse(article.text)
        sents = sentences(doc, article.id)
        out.append(Source(corpus, article, sents, extract_claims(doc, sents, article)))
    return out


def seed_articles() -> list[Article]:
    return sorted(load_paths([SAMPLES]).articles, key=lambda a: a.id)


def build_pairs(sources: Sequence[Source], seed: int = 0, per_article: int = 6) -> list[Pair]:
    """One supported and one broken pair for up to `per_article` sentences of each source."""
    rng = random.Random(seed)
    corpus = [(src, s) for src in sources for s in src.sentences if _usable(s)]
    used: Counter[str] = Counter()
    pairs: list[Pair] = []
    for src in sources:
        picked = [s for s in src.sentences if _usable(s)]
        rng.shuffle(picked)
        for sentence in picked[:per_article]:
            maker = _Maker(src, sentence, rng, corpus)
            for kinds in (SUPPORTED_KINDS, BROKEN_KINDS):
                # The least used kind that applies keeps the kinds balanced.
                made = [(used[k], i, k, p) for i, k in enumerate(kinds) if (p := maker.make(k))]
                if made:
                    _, _, kind, pair = min(made, key=lambda m: m[:2])
                    used[kind] += 1
                    pairs.append(pair)
            if len(pairs) % 2:  # no broken pair applied: keep the set balanced
                pairs.pop()
    return pairs


def _usable(s: Sentence) -> bool:
    words = s.text.split()
    return 8 <= len(words) <= 60 and any(c.islower() for c in s.text) and "\n" not in s.text


class _Maker:
    """Builds each kind of pair from one cited sentence."""

    def __init__(
        self,
        src: Source,
        sentence: Sentence,
        rng: random.Random,
        corpus: list[tuple[Source, Sentence]],
    ) -> None:
        self.src, self.sentence, self.rng, self.corpus = src, sentence, rng, corpus
        # A claim whose content runs on past the sentence is not backed by it alone.
        self.claims = [
            c
            for c in src.claims_in(sentence)
            if _named(c.claimant)
            and sentence.start <= c.content.start
            and c.content.end <= sentence.end
        ]
        self.claimants = claimant_names(src.claims_in(sentence))

    def make(self, kind: str) -> Pair | None:
        makers: dict[str, Callable[[], str | Pair | None]] = {
            "verbatim": lambda: self.sentence.text,
            "attributed": self._attributed,
            "reformatted": lambda: _reformat(self.sentence.text),
            "trimmed": self._trimmed,
            "number": lambda: _change_number(self.sentence.text),
            "claimant": self._swapped_claimant,
            "date": lambda: _change_date(self.sentence.text),
            "wrong_citation": self._wrong_citation,
            "invented": self._invented,
        }
        made = makers[kind]()
        if made is None or isinstance(made, Pair):
            return made
        return self.pair(made, kind in SUPPORTED_KINDS, kind)

    def pair(self, sentence: str, supported: bool, kind: str) -> Pair:
        source = f"{self.src.corpus}:{self.src.article.id}"
        return Pair(sentence, (self.sentence.text,), self.claimants, supported, kind, source)

    def _attributed(self, claimant: str | None = None) -> str | None:
        if not self.claims:
            return None
        claim = self.rng.choice(self.claims)
        content = claim.content.text.strip(' .,;:"“”')
        if len(content.split()) < 4:
            return None
        who = claimant or claim.claimant
        if self.rng.random() < 0.5:
            return f"According to {who}, {content}."
        return f"{who} said that {content}."

    def _trimmed(self) -> str | None:
        parts = self.sentence.text.rstrip(".").split(", ")
        if len(parts) < 2:
            return None
        kept = ", ".join(parts[:-1])
        return f"{kept}." if len(kept.split()) >= 6 else None

    def _swapped_claimant(self) -> str | None:
        own = {
            w.lower() for c in self.src.claims_in(self.sentence) for w in _NAME.findall(c.claimant)
        }
        others = sorted(
            {
                c.claimant
                for c in self.src.claims
                if _named(c.claimant) and not own & {w.lower() for w in _NAME.findall(c.claimant)}
            }
        )
        if not self.claims or not others:
            return None
        return self._attributed(self.rng.choice(others))

    def _wrong_citation(self) -> Pair | None:
        other_src, other = self.rng.choice(self.corpus)
        if other.text == self.sentence.text:
            return None
        return Pair(
            self.sentence.text,
            (other.text,),
            claimant_names(other_src.claims_in(other)),
            False,
            "wrong_citation",
            f"{self.src.corpus}:{self.src.article.id}",
        )

    def _invented(self) -> str | None:
        names = [c.claimant for c in self.claims] or _NAME.findall(self.sentence.text)[1:]
        if not names:
            return None
        return f"{self.rng.choice(names)} {self.rng.choice(INVENTED)}."


def _named(claimant: str) -> bool:
    """Whether a claimant is a name ("Kyrylo Budanov"), not a pronoun or a description."""
    return bool(_NAME.search(claimant)) and len(claimant.split()) <= 6


def _reformat(text: str) -> str | None:
    """The sentence with a figure or date written another way ("4,000" -> "4000")."""
    for m in _FIGURE.finditer(text):
        digits = m.group().replace(",", "")
        if len(digits) >= 4 and not _YEAR.fullmatch(m.group()):
            other = digits if "," in m.group() else f"{int(digits):,}"
            return text[: m.start()] + other + text[m.end() :]
    for words, figure in (("two-thirds", "2/3"), ("one-third", "1/3"), ("three-quarters", "3/4")):
        if words in text:
            return text.replace(words, figure, 1)
    abbreviated = re.search(r"\b(Jan|Feb|Aug|Sept|Oct|Nov|Dec)\. (\d)", text)
    if abbreviated:
        full = next(m for m in _MONTHS if m.startswith(abbreviated.group(1)[:3]))
        return text[: abbreviated.start()] + f"{full} " + text[abbreviated.start(2) :]
    return None


def _change_number(text: str) -> str | None:
    """The sentence with one figure (not a year) changed by half again."""
    for m in _FIGURE.finditer(text):
        if _YEAR.fullmatch(m.group()) or _in_date(text, m.start()):
            continue
        value = int(m.group().replace(",", ""))
        changed = value + max(1, value // 2)
        worded = f"{changed:,}" if "," in m.group() else str(changed)
        return text[: m.start()] + worded + text[m.end() :]
    return None


def _in_date(text: str, at: int) -> bool:
    return bool(_MONTH.search(text[max(0, at - 12) : at]))


def _change_date(text: str) -> str | None:
    """The sentence with a month, weekday or year moved."""
    month = _MONTH.search(text)
    if month:
        name = month.group()
        full = next(m for m in _MONTHS if m.startswith(name[:3]))
        shifted = _MONTHS[(_MONTHS.index(full) + 3) % 12]
        worded = f"{shifted[:3]}." if name.endswith(".") and shifted != "May" else shifted
        return text[: month.start()] + worded + text[month.end() :]
    weekday = _WEEKDAY.search(text)
    if weekday:
        days = ["Mon", "Tues", "Wednes", "Thurs", "Fri", "Satur", "Sun"]
        shifted = days[(days.index(weekday.group(1)) + 2) % 7]
        return text[: weekday.start()] + f"{shifted}day" + text[weekday.end() :]
    year = _YEAR.search(text)
    if year:
        return text[: year.start()] + str(int(year.group()) - 3) + text[year.end() :]
    return None


def balance(pairs: Sequence[Pair]) -> dict[str, int]:
    """How many pairs of each kind, and of each label."""
    counts = Counter(p.kind for p in pairs)
    counts["supported"] = sum(p.supported for p in pairs)
    counts["unsupported"] = len(pairs) - counts["supported"]
    return dict(sorted(counts.items()))
