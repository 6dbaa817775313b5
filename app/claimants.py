"""Who a question asks about, and whether a claim's claimant is that one.

"What did Budanov say?" names a claimant; the ledger may hold him as "Kyrylo Budanov"
or under the mention "Ukraine's military intelligence chief Kyrylo Budanov", so names
are matched by their meaningful tokens, not as strings.
"""

from __future__ import annotations

import re

from indexer.models import Claim

_SPEECH = (
    r"say|says|said|claim|claims|claimed|think|thinks|tell|told|report|reported|estimate|"
    r"estimated|deny|denied|announce|announced|state|stated|believe|believes|write|wrote|"
    r"warn|warned|confirm|confirmed|argue|argued|mean|make of|predict|predicted"
)
# The places a claimant's name takes in a question: "what did X say", "according to X",
# "X said ...?" (a yes/no question about a claim).
_CLAIMANT_SLOTS = (
    re.compile(
        rf"\b(?:did|does|do|has|have|had|would|will)\s+(?P<who>[\w'’. -]{{2,80}}?)\s+(?:{_SPEECH})\b",
        re.IGNORECASE,
    ),
    re.compile(
        r"\baccording to\s+(?P<who>[\w'’. -]{2,80}?)\s*(?:[,?;:]|$|\b(?:about|on|how|what|who|did|is|are|was|were)\b)",
        re.IGNORECASE,
    ),
    re.compile(rf"^(?:is it true that\s+)?(?P<who>[A-Z][\w'’. -]{{1,80}}?)\s+(?:{_SPEECH})\b"),
)
_NOT_A_NAME = frozenset(
    "what who whom which how why when where did does do is are was were anyone they he she it".split()  # noqa: SIM905
)
_ABOUT_CLAIMS = re.compile(
    r"\b(?:who|whom|say|says|said|saying|claim|claims|claimed|told|tell|according|deny|"
    r"denies|denied|estimate|estimated|report|reported|reports|think|believe|statement|"
    r"announce|announced|warn|warned|confirm|confirmed|source|sources|agree|disagree)\b",
    re.IGNORECASE,
)
_NOISE = frozenset({"the", "of", "a", "an", "and", "mr", "mrs", "ms", "dr", "president"})


def asks_about_claims(question: str) -> bool:
    """Whether the question is about who said what rather than about bare facts."""
    return bool(_ABOUT_CLAIMS.search(question))


def names_in_question(question: str) -> list[str]:
    """Names or descriptions in the claimant's place of the question ("Budanov",
    "Ukraine's military intelligence chief", "the spy agency")."""
    names: list[str] = []
    for slot in _CLAIMANT_SLOTS:
        for m in slot.finditer(question.strip()):
            name = m.group("who").strip(" ,.")
            first = name.split()[0].lower()
            if tokens(name) and first not in _NOT_A_NAME:
                names.append(name)
    return list(dict.fromkeys(names))


def tokens(name: str) -> set[str]:
    words = re.findall(r"[a-z0-9]+", name.lower().replace("’s", "").replace("'s", ""))
    return {w for w in words if w not in _NOISE and len(w) > 1}


def names_match(name: str, claim: Claim) -> bool:
    """Every meaningful token of `name` is in the claimant's name or its mention."""
    wanted = tokens(name)
    if not wanted:
        return False
    have = tokens(claim.claimant)
    if claim.claimant_mention is not None:
        have |= tokens(claim.claimant_mention.text)
    return wanted <= have
