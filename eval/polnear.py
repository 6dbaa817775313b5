"""Reader for the PolNeAR attribution corpus (brat standoff annotations over news text)."""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from pathlib import Path

from indexer.models import Article

CharSpan = tuple[int, int]
LAYOUT = "metadata.tsv plus <split>/text/NAME.txt and <split>/attributions/NAME_<annotator>.ann"


_ANN_ID = re.compile(r"[A-Z]+\d+\t")


class PolnearFormatError(Exception):
    """The folder is not in PolNeAR layout, or an annotation file is malformed."""


@dataclass(frozen=True)
class GoldAttribution:
    """One annotated attribution; each role is a (possibly discontinuous, possibly empty)
    tuple of (start, end) character spans into the article text."""

    source: tuple[CharSpan, ...] = ()
    cue: tuple[CharSpan, ...] = ()
    content: tuple[CharSpan, ...] = ()


@dataclass(frozen=True)
class PolnearDoc:
    article: Article
    attributions: list[GoldAttribution] = field(default_factory=list)


def load_split(data_dir: Path, split: str, limit: int | None = None) -> list[PolnearDoc]:
    """The articles of `split` (e.g. "train", "dev") in filename order, with their gold."""
    data_dir = Path(data_dir)
    text_dir, ann_dir = data_dir / split / "text", data_dir / split / "attributions"
    metadata_path = data_dir / "metadata.tsv"
    for required in (metadata_path, text_dir, ann_dir):
        if not required.exists():
            raise PolnearFormatError(
                f"{data_dir} is not a PolNeAR folder for split '{split}': {required} is "
                f"missing. Expected layout: {LAYOUT}."
            )
    metadata = _read_metadata(metadata_path)
    docs: list[PolnearDoc] = []
    for text_path in sorted(text_dir.glob("*.txt")):
        if limit is not None and len(docs) >= limit:
            break
        name = text_path.stem
        annotations = sorted(ann_dir.glob(f"{name}_*.ann"))
        if not annotations:
            raise PolnearFormatError(f"No {ann_dir}/{name}_<annotator>.ann for {text_path}.")
        docs.append(
            PolnearDoc(_article(text_path, metadata.get(name, {})), read_ann(annotations[0]))
        )
    return docs


def _read_metadata(path: Path) -> dict[str, dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f, delimiter="\t"))
    if rows and "filename" not in rows[0]:
        raise PolnearFormatError(f"{path} has no 'filename' column. Expected layout: {LAYOUT}.")
    return {row["filename"]: row for row in rows}


def _article(text_path: Path, meta: dict[str, str]) -> Article:
    # newline="" keeps the text byte-for-byte so annotation offsets stay valid.
    with text_path.open(encoding="utf-8", newline="") as f:
        text = f.read()
    return Article(
        id=text_path.stem,
        title=text.split("\n", 1)[0].strip(),
        text=text,
        outlet=meta.get("publisher") or None,
        published=meta.get("publication_date") or None,
        source=str(text_path),
    )


def read_ann(path: Path) -> list[GoldAttribution]:
    """The attributions (`E` lines) of one brat .ann file, in file order."""
    spans: dict[str, tuple[str, tuple[CharSpan, ...]]] = {}
    events: list[list[tuple[str, str]]] = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not _ANN_ID.match(line):
            continue  # the rest of a span text that contains a line break
        fields = line.split("\t")
        try:
            if line.startswith("T"):
                role, _, offsets = fields[1].partition(" ")
                spans[fields[0]] = (role, _parse_offsets(offsets))
            elif line.startswith("E"):
                args = [arg.split(":", 1) for arg in fields[1].split()]
                events.append([(role, ref) for role, ref in args])
        except (IndexError, ValueError) as e:
            raise PolnearFormatError(f"{path}:{n}: not a brat standoff line: {line!r}") from e
    return [_attribution(event, spans, path) for event in events]


def _parse_offsets(offsets: str) -> tuple[CharSpan, ...]:
    pairs = (piece.split() for piece in offsets.split(";"))
    return tuple((int(start), int(end)) for start, end in pairs)


def _attribution(
    event: list[tuple[str, str]], spans: dict[str, tuple[str, tuple[CharSpan, ...]]], path: Path
) -> GoldAttribution:
    roles: dict[str, tuple[CharSpan, ...]] = {}
    for role, ref in event:
        if ref not in spans:
            raise PolnearFormatError(f"{path}: attribution refers to unknown span {ref}.")
        # The role name is the part before any digit suffix brat adds to repeated roles.
        roles[role.rstrip("0123456789").lower()] = spans[ref][1]
    return GoldAttribution(
        source=roles.get("source", ()), cue=roles.get("cue", ()), content=roles.get("content", ())
    )
