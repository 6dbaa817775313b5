"""Load article files (.txt .md .json .jsonl .html) into `Article` records.

One bad file or record never stops a load: it is reported in `IngestReport.skipped`
with a reason the user can act on, and everything else still loads.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import dateparser
import trafilatura
import yaml
from trafilatura.settings import Document

from indexer.errors import IngestError
from indexer.models import Article


@dataclass
class IngestReport:
    """What a load produced: the articles, what was skipped and why, and soft problems."""

    articles: list[Article] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (path or "path#n", reason)
    warnings: list[tuple[str, str]] = field(default_factory=list)  # loaded, but something is off


class _Unreadable(Exception):
    """A file or record that cannot become an article; the message says why and what to do."""


# Loaders turn a file's bytes into (source, record) pairs. A record is a dict of fields, or
# the `_Unreadable` error of a record that failed to parse, so its siblings still load.
_Loader = Callable[[str, bytes], list[tuple[str, object]]]

SIDECAR_SUFFIXES = (".meta.yaml", ".meta.yml", ".meta.json")

# Article field -> the record keys that may carry it, most specific first.
_FIELD_KEYS: dict[str, tuple[str, ...]] = {
    "id": ("id",),
    "title": ("title", "headline"),
    "outlet": ("outlet", "source", "publisher", "sitename"),
    "published": ("published", "date"),
    "url": ("url",),
    "text": ("text",),
}

# What trafilatura finds in a page that is worth keeping; its other keys are parse internals.
_HTML_KEYS = (
    "title",
    "author",
    "url",
    "hostname",
    "description",
    "sitename",
    "date",
    "categories",
    "tags",
    "language",
    "text",
)

TITLE_MAX_CHARS = 300
TITLE_MAX_WORDS = 40
FALLBACK_TITLE_CHARS = 100

_DATE_TOKEN = re.compile(r"date\s+(\d{4}-\d{2}-\d{2})(?:\s+|$)")
_EDITORS_NOTE = re.compile(r"editors?['’]?s?\s+note\b", re.IGNORECASE)
_FIRST_SENTENCE = re.compile(r".+?[.!?](?=\s+[A-Z\"“‘']|\s*$)")
_FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?)^---[ \t]*(?:\r?\n|\Z)", re.DOTALL | re.MULTILINE)
_MD_HEADING = re.compile(r"#\s+(.+?)(?:\s+#+)?$")

# Absolute dates only: "yesterday" in an archived file would be resolved against today.
_DATEPARSER_SETTINGS: Any = {
    "REQUIRE_PARTS": ["day", "month", "year"],
    "STRICT_PARSING": True,
    "PARSERS": ["timestamp", "custom-formats", "absolute-time"],
}


def load_paths(paths: Sequence[Path]) -> IngestReport:
    """Load every article file in `paths` (files, or folders searched recursively)."""
    report = IngestReport()
    for path in _article_files(paths):
        suffix = path.suffix.lower()
        source = str(path.resolve())
        if path.name.lower().endswith(SIDECAR_SUFFIXES):
            report.skipped.append(
                (source, "a metadata sidecar, read with its article: give the article file")
            )
        elif suffix not in _LOADERS:
            supported = ", ".join(sorted(_LOADERS))
            report.skipped.append(
                (source, f"unsupported file type '{suffix or path.name}': use one of {supported}")
            )
        else:
            _load_file(path, source, report)
    report.articles = _drop_duplicate_ids(report.articles, report.skipped)
    return report


def _article_files(paths: Sequence[Path]) -> list[Path]:
    """The files named or found under the folders, each once, in a stable order."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(sorted(_folder_files(path)))
        elif path.exists():
            files.append(path)
        else:
            raise IngestError(f"{path}: no such file or folder; check the path and try again")
    seen: set[Path] = set()
    unique = []
    for file in files:
        if file.resolve() not in seen:
            seen.add(file.resolve())
            unique.append(file)
    return unique


def _folder_files(folder: Path) -> list[Path]:
    """Article files under `folder`: hidden entries, READMEs and sidecars are not articles."""
    found = []
    for root, dirs, names in os.walk(folder):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        for name in names:
            if (
                not name.startswith(".")
                and not name.upper().startswith("README.")
                and not name.lower().endswith(SIDECAR_SUFFIXES)
                and Path(name).suffix.lower() in _LOADERS
            ):
                found.append(Path(root) / name)
    return found


def _load_file(path: Path, source: str, report: IngestReport) -> None:
    """Add the articles of one file to `report`, or the reasons they could not be loaded."""
    suffix = path.suffix.lower()
    try:
        records = _LOADERS[suffix](source, _read_bytes(path))
        overrides = _sidecar(path) if suffix in _SINGLE_ARTICLE_SUFFIXES else {}
    except _Unreadable as exc:
        report.skipped.append((source, str(exc)))
        return
    for where, record in records:
        try:
            article, warnings = _article(where, record, overrides)
        except _Unreadable as exc:
            report.skipped.append((where, str(exc)))
            continue
        report.articles.append(article)
        report.warnings.extend((where, warning) for warning in warnings)


def _read_bytes(path: Path) -> bytes:
    """The file's bytes, refusing files that are unreadable, binary or empty."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise _Unreadable(f"cannot be read ({exc.strerror}): check its permissions") from None
    if b"\0" in data:
        raise _Unreadable("binary file, not text: convert it to a UTF-8 text format first")
    if not data.strip():
        raise _Unreadable("empty file: add the article text or remove the file")
    return data


def _decode(data: bytes) -> str:
    """UTF-8 text, without a leading byte order mark."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise _Unreadable(
            f"not UTF-8 text (bad byte at offset {exc.start}): re-save it as UTF-8"
        ) from None


def _load_txt(source: str, data: bytes) -> list[tuple[str, object]]:
    """A plain-text article; its text is kept exactly as in the file."""
    text = _decode(data)
    title, published = _read_top(text)
    return [(source, {"text": text, "title": title, "published": published})]


def _load_md(source: str, data: bytes) -> list[tuple[str, object]]:
    """A Markdown article whose YAML front matter, if any, holds its metadata."""
    text = _decode(data)
    record: dict[str, Any] = {}
    body = text
    if text.startswith("---"):
        match = _FRONT_MATTER.match(text)
        if match is None:
            raise _Unreadable("front matter is not closed: end it with a line '---'")
        record = _yaml_mapping(match.group(1), "front matter")
        body = text[match.end() :]
    if not body.strip():
        raise _Unreadable("no article text after the front matter: add it below the '---'")
    first_line = next(line.strip() for line in body.splitlines() if line.strip())
    has_title = any(record.get(key) for key in _FIELD_KEYS["title"])
    if not has_title and (heading := _MD_HEADING.match(first_line)):
        record["title"] = heading.group(1)
    return [(source, {**record, "text": body})]


def _load_json(source: str, data: bytes) -> list[tuple[str, object]]:
    """One article object, or a list of them (sources "path#0", "path#1", ...)."""
    try:
        value = json.loads(_decode(data))
    except json.JSONDecodeError as exc:
        raise _Unreadable(f"not valid JSON ({_json_problem(exc)}): fix the syntax") from None
    if isinstance(value, list):
        return [(f"{source}#{i}", item) for i, item in enumerate(value)]
    return [(source, value)]


def _load_jsonl(source: str, data: bytes) -> list[tuple[str, object]]:
    """One article object per line (sources "path#lineno"); blank lines are ignored."""
    records: list[tuple[str, object]] = []
    # Split on "\n" only: str.splitlines would also break at U+2028, which JSON allows in strings.
    for lineno, line in enumerate(_decode(data).split("\n"), start=1):
        if not line.strip():
            continue
        try:
            record: object = json.loads(line)
        except json.JSONDecodeError as exc:
            record = _Unreadable(f"not valid JSON ({_json_problem(exc)}): fix this line")
        records.append((f"{source}#{lineno}", record))
    return records


def _load_html(source: str, data: bytes) -> list[tuple[str, object]]:
    """A web page: trafilatura extracts the main text and the page's metadata."""
    # Bytes, not str: trafilatura honours the page's declared charset.
    document = trafilatura.bare_extraction(data, with_metadata=True, include_comments=False)
    page = document.as_dict() if isinstance(document, Document) else document or {}
    record = {key: page[key] for key in _HTML_KEYS if page.get(key)}
    if not str(record.get("text", "")).strip():
        raise _Unreadable("no article text found in the page: save it as .txt instead")
    return [(source, record)]


_LOADERS: dict[str, _Loader] = {
    ".txt": _load_txt,
    ".md": _load_md,
    ".json": _load_json,
    ".jsonl": _load_jsonl,
    ".html": _load_html,
    ".htm": _load_html,
}

# Files that hold exactly one article, so a sidecar beside them can describe it.
_SINGLE_ARTICLE_SUFFIXES = {".txt", ".md", ".html", ".htm"}


def _sidecar(path: Path) -> dict[str, Any]:
    """Metadata from `X.meta.yaml` (or .meta.yml, .meta.json) beside `X.ext`, if there is one."""
    for suffix in SIDECAR_SUFFIXES:
        sidecar = path.with_suffix(suffix)
        if not sidecar.is_file():
            continue
        what = f"sidecar {sidecar.name}"
        try:
            text = _decode(sidecar.read_bytes())
        except OSError as exc:
            raise _Unreadable(f"{what} cannot be read ({exc.strerror})") from None
        except _Unreadable as exc:
            raise _Unreadable(f"{what}: {exc}") from None
        fields = _yaml_mapping(text, what)  # JSON is YAML, so one parser reads all three
        if "text" in fields:
            raise _Unreadable(f"{what} sets 'text': the text comes from the article file")
        return fields
    return {}


def _yaml_mapping(text: str, what: str) -> dict[str, Any]:
    """`text` parsed as a YAML mapping; `what` names it in error messages."""
    try:
        value = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        problem = " ".join(str(exc).split())
        raise _Unreadable(f"{what} is not valid YAML ({problem}): fix the syntax") from None
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise _Unreadable(f"{what} must be 'key: value' lines, not a {type(value).__name__}")
    return {str(key): item for key, item in value.items()}


def _json_problem(exc: json.JSONDecodeError) -> str:
    return f"line {exc.lineno} column {exc.colno}: {exc.msg}"


def _article(source: str, record: object, overrides: dict[str, Any]) -> tuple[Article, list[str]]:
    """The article a record describes (sidecar `overrides` win), and any warnings about it."""
    if isinstance(record, _Unreadable):
        raise record
    if not isinstance(record, dict):
        raise _Unreadable(f"a record must be a JSON object with a 'text' field, not {record!r:.40}")
    fields, metadata = _split_fields(record)
    override_fields, override_metadata = _split_fields(overrides)
    fields |= override_fields
    metadata |= override_metadata

    text = fields.get("text")
    if not isinstance(text, str) or not text.strip():
        raise _Unreadable("no article text: give the record a non-empty 'text' string")
    warnings = []
    published = _iso_date(fields.get("published"))
    if published is None and fields.get("published") is not None:
        warnings.append(
            f"published date {fields['published']!r} not understood, loaded without a date: "
            "write it as YYYY-MM-DD"
        )
    article = Article(
        id=_field_str(fields, "id") or hashlib.sha256(text.encode("utf-8")).hexdigest()[:16],
        title=_field_str(fields, "title") or _read_top(text)[0],
        text=text,
        outlet=_field_str(fields, "outlet"),
        published=published,
        url=_field_str(fields, "url"),
        source=source,
        metadata=metadata,
    )
    return article, warnings


def _split_fields(record: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Article fields by their canonical names, and every other key as metadata."""
    fields: dict[str, Any] = {}
    used: set[str] = set()
    for name, keys in _FIELD_KEYS.items():
        key = next((k for k in keys if record.get(k) not in (None, "")), None)
        if key is not None:
            fields[name] = record[key]
            used.add(key)
    metadata = {
        key: _json_safe(value)
        for key, value in record.items()
        if key not in used and value is not None
    }
    return fields, metadata


def _field_str(fields: dict[str, Any], name: str) -> str | None:
    """A text field as a stripped string (YAML may have read `id: 42` as a number)."""
    value = fields.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise _Unreadable(f"'{name}' must be a string, not {value!r:.40}")
    return str(value).strip() or None


def _json_safe(value: Any) -> Any:
    """`value` with YAML's date objects as ISO strings, so metadata can be stored as JSON."""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(key): _json_safe(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_json_safe(item) for item in value]
    return value


def _iso_date(value: object) -> str | None:
    """`value` as YYYY-MM-DD, or None when it is missing or not a full absolute date."""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if not isinstance(value, str | int) or isinstance(value, bool) or not str(value).strip():
        return None
    text = str(value).strip()
    try:
        # The date as written, not converted to UTC: the outlet's calendar day is the one cited.
        return datetime.fromisoformat(text).date().isoformat()
    except ValueError:
        parsed = dateparser.parse(text, settings=_DATEPARSER_SETTINGS)
    return parsed.date().isoformat() if parsed else None


def _read_top(text: str) -> tuple[str, str | None]:
    """The title of a plain text, and the date of a leading `date YYYY-MM-DD` token.

    The title is the first line when it reads as a headline, else the start of the
    first sentence. Editor's notes above the headline or the body are passed over.
    """
    lines = [line.strip() for line in text.splitlines()]
    first = next((i for i, line in enumerate(lines) if line), 0)
    published = None
    if token := _DATE_TOKEN.match(lines[first] if lines else ""):
        published = token.group(1)
        lines[first] = lines[first][token.end() :]
    start = next(
        (i for i in range(first, len(lines)) if lines[i] and not _EDITORS_NOTE.match(lines[i])),
        first,
    )
    line, rest = (lines[start], lines[start + 1 :]) if lines else ("", [])
    if _is_headline(line, rest):
        return line, published
    return _first_sentence(line or text.strip()), published


def _is_headline(line: str, rest: list[str]) -> bool:
    """A short line that ends without a full stop and stands apart from the body below it."""
    # A headline is set off by a blank line, or is a short line above long paragraphs.
    return (
        _is_short(line)
        and not line.endswith(".")
        and any(rest)
        and (not rest[0] or not _is_short(rest[0]))
    )


def _is_short(line: str) -> bool:
    return len(line) <= TITLE_MAX_CHARS and len(line.split()) <= TITLE_MAX_WORDS


def _first_sentence(line: str) -> str:
    """The first sentence of `line`, cut at a word boundary to a title's length."""
    match = _FIRST_SENTENCE.match(line)
    sentence = match.group(0) if match else line
    if len(sentence) <= FALLBACK_TITLE_CHARS:
        return sentence
    cut = sentence[: FALLBACK_TITLE_CHARS - 1].rsplit(" ", 1)[0].rstrip(" ,;:")
    return cut + "…"


def _drop_duplicate_ids(articles: list[Article], skipped: list[tuple[str, str]]) -> list[Article]:
    """The articles with their first-seen ids; later ones with the same id go to `skipped`."""
    first_source: dict[str, str] = {}
    unique = []
    for article in articles:
        if article.id in first_source:
            skipped.append(
                (
                    article.source,
                    f"same id '{article.id}' as {first_source[article.id]}: remove the "
                    "duplicate or give one of them another id",
                )
            )
        else:
            first_source[article.id] = article.source
            unique.append(article)
    return unique
