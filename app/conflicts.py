"""Disagreements between sources: different figures for the same measure, or a claim
one source makes and another denies. A later figure from the same claimant is a
revision, not a conflict."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Position:
    claimant: str
    value: str
    citation: int | None
    published: str | None
    quote: str


@dataclass(frozen=True)
class Conflict:
    about: str
    kind: str  # figures | stance | revision
    positions: list[Position]
    note: str | None = None
