"""What the attribution tagger reads of an article: one row per spaCy token.

Each token gets the encoder's contextual state (the mean of its word pieces' final hidden
states, taken from the very pass that embeds the chunks), the parser's view of it (part
of speech, dependency label, entity type, whether it sits inside a quotation) and,
when the rules are kept as evidence, what the rule-based extractor made of it. The cue
tagger reads these rows as they are; the content tagger adds, for one cue at a time,
where each token stands relative to that cue in the parse.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import numpy.typing as npt
from spacy.tokens import Doc

from indexer.claims import quote_spans
from indexer.embed import PassageStates
from indexer.models import Chunk

IntArray = npt.NDArray[np.int64]
CharSpan = tuple[int, int]
# What the rules found, as (cue, content, source or None) character spans.
RuleSpans = tuple[CharSpan, CharSpan, CharSpan | None]

# Categorical columns of `ArticleFeatures.cats`, in order; the vocabularies of the first
# three are the pipeline's own label sets, recorded with the trained weights.
TOKEN_COLUMNS = ("pos", "dep", "ent", "quote", "shape", "rule_cue", "rule_content", "rule_source")
RULE_COLUMNS = frozenset({"rule_cue", "rule_content", "rule_source"})
# Columns added per cue for the content tagger.
CUE_COLUMNS = ("cue", "distance", "path", "cue_rule_content", "cue_rule_source")
SHAPES = 6  # see _shape
DISTANCE_BUCKETS = (0, 1, 2, 3, 4, 6, 8, 12, 16, 24, 32, 48, 64)
# Path labels beyond the dependency labels: the token is the cue, an ancestor of the
# cue, or unrelated to it in the parse.
PATH_EXTRA = ("<none>", "<cue>", "<ancestor>")


@dataclass(frozen=True)
class Vocab:
    """Label sets that give categorical features their ids (0 is "unknown or none")."""

    pos: tuple[str, ...]
    dep: tuple[str, ...]
    ent: tuple[str, ...]
    # Lemmas frequent enough in the training split to earn an embedding of their own
    # (empty: the tagger reads no lemma column). Learned from the data, so the cue
    # words it knows are those annotators marked, not a list written here.
    words: tuple[str, ...] = ()

    @classmethod
    def of(cls, doc_labels: dict[str, Sequence[str]]) -> Vocab:
        return cls(
            pos=tuple(doc_labels["pos"]),
            dep=tuple(doc_labels["dep"]),
            ent=tuple(doc_labels["ent"]),
            words=tuple(doc_labels.get("words", ())),
        )

    def as_dict(self) -> dict[str, list[str]]:
        return {
            "pos": list(self.pos),
            "dep": list(self.dep),
            "ent": list(self.ent),
            "words": list(self.words),
        }

    def word_ids(self, lemmas: Sequence[str]) -> IntArray:
        """Each lemma's id in `words` (0 for one it does not know)."""
        ids = self._word_index
        return np.fromiter((ids.get(w, 0) for w in lemmas), dtype=np.int64, count=len(lemmas))

    @cached_property
    def _word_index(self) -> dict[str, int]:
        return {w: i + 1 for i, w in enumerate(self.words)}

    def sizes(self) -> dict[str, int]:
        """How many ids each categorical column takes (unknown included)."""
        return {
            "pos": len(self.pos) + 1,
            "dep": len(self.dep) + 1,
            "ent": len(self.ent) + 1,
            "quote": 2,
            "shape": SHAPES,
            "rule_cue": 3,
            "rule_content": 2,
            "rule_source": 2,
            "word": len(self.words) + 1,
            "cue": 3,
            "distance": 2 * len(DISTANCE_BUCKETS) + 1,
            "path": len(self.dep) + 1 + len(PATH_EXTRA),
            "cue_rule_content": 2,
            "cue_rule_source": 2,
        }


def pipeline_vocab() -> Vocab:
    """The label sets of the bundled spaCy pipeline."""
    from spacy.parts_of_speech import IDS

    from indexer.split import load_pipeline

    nlp = load_pipeline()
    return Vocab(
        pos=tuple(sorted(p for p in IDS if p and p.isupper())),
        dep=tuple(sorted(nlp.get_pipe("parser").labels)),  # type: ignore[attr-defined]
        ent=tuple(sorted(nlp.get_pipe("ner").labels)),  # type: ignore[attr-defined]
    )


@dataclass(frozen=True)
class ArticleFeatures:
    """Per-token rows for one article, plus the parse facts the cue features need."""

    states: npt.NDArray[np.float16]  # (tokens, dim)
    cats: IntArray  # (tokens, len(TOKEN_COLUMNS))
    spans: IntArray  # (tokens, 2): character offsets
    sentence: IntArray  # (tokens,): index of the parser's sentence
    heads: IntArray  # (tokens,): index of the syntactic head (the root points at itself)
    dep: IntArray  # (tokens,): dependency label id
    rules: tuple[RuleSpans, ...]
    lemmas: tuple[str, ...]  # lower-cased, for the lemma column

    def __len__(self) -> int:
        return len(self.spans)

    def token_range(self, start: int, end: int) -> tuple[int, int]:
        """The tokens [first, last) overlapping characters [start, end)."""
        first = int(np.searchsorted(self.spans[:, 1], start, side="right"))
        last = int(np.searchsorted(self.spans[:, 0], end, side="left"))
        return first, max(first, last)


def article_features(
    doc: Doc,
    chunks: Sequence[Chunk],
    passages: Sequence[PassageStates],
    rules: Sequence[RuleSpans],
    vocab: Vocab,
) -> ArticleFeatures:
    """The rows for `doc` (whose text is the article's), from the encoder states of its
    chunks (`passages[i]` encodes `chunks[i].text`) and what the rules found."""
    n = len(doc)
    spans = np.array([(t.idx, t.idx + len(t.text)) for t in doc], dtype=np.int64).reshape(n, 2)
    states = _token_states(spans, chunks, passages, n)
    pos_ids = {p: i + 1 for i, p in enumerate(vocab.pos)}
    dep_ids = {d: i + 1 for i, d in enumerate(vocab.dep)}
    ent_ids = {e: i + 1 for i, e in enumerate(vocab.ent)}
    quotes = quote_spans(doc.text)
    quote_starts = [s for s, _ in quotes]
    cats = np.zeros((n, len(TOKEN_COLUMNS)), dtype=np.int64)
    sentence = np.zeros(n, dtype=np.int64)
    for k, sent in enumerate(doc.sents):
        sentence[sent.start : sent.end] = k
    for t in doc:
        q = bisect_right(quote_starts, t.idx) - 1
        inside = q >= 0 and t.idx < quotes[q][1]
        cats[t.i, 0] = pos_ids.get(t.pos_, 0)
        cats[t.i, 1] = dep_ids.get(t.dep_, 0)
        cats[t.i, 2] = ent_ids.get(t.ent_type_, 0)
        cats[t.i, 3] = int(inside)
        cats[t.i, 4] = _shape(t.text)
    heads = np.array([t.head.i for t in doc], dtype=np.int64)
    features = ArticleFeatures(
        states=states,
        cats=cats,
        spans=spans,
        sentence=sentence,
        heads=heads,
        dep=cats[:, 1].copy(),
        rules=tuple(rules),
        lemmas=tuple(t.lemma_.lower() for t in doc),
    )
    for cue, content, source in rules:
        first, last = features.token_range(*cue)
        if last > first:
            cats[first, 5] = 1
            cats[first + 1 : last, 5] = 2
        first, last = features.token_range(*content)
        cats[first:last, 6] = 1
        if source is not None:
            first, last = features.token_range(*source)
            cats[first:last, 7] = 1
    return features


def _token_states(
    spans: IntArray, chunks: Sequence[Chunk], passages: Sequence[PassageStates], n: int
) -> npt.NDArray[np.float16]:
    """Each token's mean word-piece state over every chunk that holds it."""
    dim = passages[0].token_states.shape[1] if passages else 0
    sums = np.zeros((n, dim), dtype=np.float32)
    counts = np.zeros(n, dtype=np.float32)
    starts = spans[:, 0]
    for chunk, passage in zip(chunks, passages, strict=True):
        if not len(passage.offsets):
            continue
        piece_starts = passage.offsets[:, 0].astype(np.int64) + chunk.start
        owner = np.searchsorted(starts, piece_starts, side="right") - 1
        ok = owner >= 0
        np.add.at(sums, owner[ok], passage.token_states[ok].astype(np.float32))
        np.add.at(counts, owner[ok], 1.0)
    return (sums / np.maximum(counts, 1.0)[:, None]).astype(np.float16)


def _shape(text: str) -> int:
    """A coarse word shape: 1 lower, 2 capitalised, 3 upper, 4 digit, 5 punctuation or
    space, 0 else (0 is also what a quote mark gets, as it carries its own column)."""
    if text.islower():
        return 1
    if text[:1].isupper() and not text.isupper():
        return 2
    if text.isupper():
        return 3
    if any(c.isdigit() for c in text):
        return 4
    if not any(c.isalnum() for c in text):
        return 5
    return 0


def cue_columns(
    features: ArticleFeatures, cue: tuple[int, int], window: tuple[int, int], vocab: Vocab
) -> IntArray:
    """The per-cue columns (`CUE_COLUMNS`) for tokens [window) given a cue of tokens [cue)."""
    lo, hi = window
    cue_first, cue_last = cue
    out = np.zeros((hi - lo, len(CUE_COLUMNS)), dtype=np.int64)
    idx = np.arange(lo, hi)
    out[:, 0] = np.where((idx >= cue_first) & (idx < cue_last), 1 + (idx > cue_first), 0)
    distance = np.where(idx < cue_first, idx - cue_first, np.maximum(idx - (cue_last - 1), 0))
    bucket = np.searchsorted(DISTANCE_BUCKETS, np.abs(distance), side="right")
    out[:, 1] = np.where(distance < 0, bucket, len(DISTANCE_BUCKETS) + bucket)
    out[:, 2] = _paths(features, cue_first, cue_last, lo, hi, len(vocab.dep))
    for rule_cue, content, source in features.rules:
        c_first, c_last = features.token_range(*rule_cue)
        if c_first >= cue_last or c_last <= cue_first:
            continue
        for column, span in ((3, content), (4, source)):
            if span is not None:
                first, last = features.token_range(*span)
                out[max(first, lo) - lo : max(min(last, hi), lo) - lo, column] = 1
    return out


def _paths(
    features: ArticleFeatures, cue_first: int, cue_last: int, lo: int, hi: int, n_dep: int
) -> IntArray:
    """For each token, the dependency label by which its branch hangs from the cue (the
    subject, the clausal complement, ...), or whether it is the cue, above it, or apart."""
    heads, dep = features.heads, features.dep
    cue = set(range(cue_first, cue_last))
    above: set[int] = set()
    t = cue_first
    while heads[t] != t and len(above) < 64:
        t = int(heads[t])
        above.add(t)
    none, is_cue, ancestor = n_dep + 1, n_dep + 2, n_dep + 3
    out = np.full(hi - lo, none, dtype=np.int64)
    for i in range(lo, hi):
        if i in cue:
            out[i - lo] = is_cue
            continue
        if i in above:
            out[i - lo] = ancestor
            continue
        child, t, steps = i, int(heads[i]), 0
        while t != child and steps < 64:
            if t in cue:
                out[i - lo] = dep[child]
                break
            child, t, steps = t, int(heads[t]), steps + 1
    return out
