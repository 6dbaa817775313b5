"""Citation checks run on every answer before it reaches the user."""

from __future__ import annotations

from dataclasses import replace

from app.generate.base import Answer, Passage
from indexer.embed import Embedder
from indexer.store import Store


def verify_answer(
    answer: Answer, passages: list[Passage], store: Store, embedder: Embedder
) -> Answer:
    """Check every citation of `answer` before it reaches the user."""
    return check_offsets(answer, store)


def check_offsets(answer: Answer, store: Store) -> Answer:
    """Every citation must exist and quote exactly `article.text[start:end]`."""
    checked = []
    warnings = list(answer.warnings)
    texts: dict[str, str | None] = {}
    for c in answer.citations:
        if c.article.id not in texts:
            article = store.article(c.article.id)
            texts[c.article.id] = article.text if article else None
        text = texts[c.article.id]
        ok = (
            text is not None
            and 0 <= c.start < c.end <= len(text)
            and text[c.start : c.end] == c.quote
        )
        if not ok:
            warnings.append(
                f"Citation [{c.n}] does not match the text of article {c.article.id} at "
                f"{c.start}-{c.end}; it is marked unsupported."
            )
        checked.append(replace(c, supported=c.supported and ok))
    return replace(answer, citations=checked, warnings=warnings)
