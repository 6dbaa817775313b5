"""Tests for loading article files into `Article` records."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import pytest

from indexer.errors import IngestError
from indexer.ingest import IngestReport, load_paths
from indexer.models import Article

SAMPLES = Path(__file__).resolve().parents[2] / "samples"

BODY = (
    "North Korea appears to have deployed additional troops to support Russia, South Korea's "
    "spy agency said on Thursday. The NIS estimated that about 300 were killed.\n\n"
    "Zelensky said on Feb. 14 that they had suffered 4,000 casualties.\n"
)

PAGE = """<!DOCTYPE html>
<html lang="en"><head>
<meta charset="utf-8">
<title>Spy agency says more troops sent to Russia | Example News</title>
<meta property="og:title" content="Spy agency says more troops sent to Russia">
<meta property="og:site_name" content="Example News">
<meta property="og:url" content="https://news.example.org/2025/02/27/troops">
<meta property="article:published_time" content="2025-02-27T08:08:00+00:00">
</head><body>
<nav><a href="/">Home</a> <a href="/world">World</a> <a href="/sport">Sport</a></nav>
<article>
<h1>Spy agency says more troops sent to Russia</h1>
<p>North Korea appears to have deployed additional troops to support Russia's war against
Ukraine, South Korea's spy agency said on Thursday, local media reported.</p>
<p>The National Intelligence Service estimated that about 300 North Korean soldiers were
killed and some 2,700 others were injured in the Kursk region.</p>
<p>"The presence of DPRK troops has not been observed for about three weeks," a Ukrainian
special forces spokesperson told CNN.</p>
</article>
<footer>Copyright 2025 Example News. All rights reserved.</footer>
</body></html>
"""


def write(folder: Path, name: str, content: str | bytes) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_bytes(content.encode("utf-8"))  # bytes, so "\r\n" reaches the file as is
    return path


def only_article(report: IngestReport) -> Article:
    assert report.skipped == []
    assert len(report.articles) == 1
    return report.articles[0]


def skipped_reason(report: IngestReport, path: Path, suffix: str = "") -> str:
    reasons = dict(report.skipped)
    key = str(path.resolve()) + suffix
    assert key in reasons, f"{key} not in {report.skipped}"
    return reasons[key]


# .txt


def test_txt_headline_with_date_token_gives_title_and_date_and_keeps_text(tmp_path: Path) -> None:
    text = " date 2025-02-27 Spy agency says more troops sent\n\n" + BODY
    path = write(tmp_path, "a.txt", text)

    article = only_article(load_paths([path]))

    assert article.text == text
    assert article.title == "Spy agency says more troops sent"
    assert article.published == "2025-02-27"
    assert article.id == hashlib.sha256(text.encode()).hexdigest()[:16]
    assert article.source == str(path.resolve())
    assert article.outlet is None
    assert article.metadata == {}


def test_txt_without_headline_takes_the_first_sentence_as_title(tmp_path: Path) -> None:
    path = write(tmp_path, "a.txt", BODY)

    article = only_article(load_paths([path]))

    assert article.title == (
        "North Korea appears to have deployed additional troops to support Russia, "
        "South Korea's spy agency…"
    )
    assert len(article.title) <= 100
    assert article.published is None
    assert article.text == BODY


def test_txt_first_sentence_title_is_not_cut_at_abbreviations(tmp_path: Path) -> None:
    path = write(tmp_path, "a.txt", "Troops were seen on Feb. 27 in Kursk. More later.\n")

    assert only_article(load_paths([path])).title == "Troops were seen on Feb. 27 in Kursk."


def test_txt_editors_note_is_passed_over_for_the_headline(tmp_path: Path) -> None:
    text = "Editor's note: This story is being updated.\n\nTroops sent to Russia\n\n" + BODY
    path = write(tmp_path, "a.txt", text)

    article = only_article(load_paths([path]))

    assert article.title == "Troops sent to Russia"
    assert article.text == text


def test_txt_short_line_above_a_long_paragraph_is_a_headline(tmp_path: Path) -> None:
    paragraph = "The agency said " + "more troops were sent to the front " * 10 + "on Thursday."
    text = "Troops sent to Russia\n" + paragraph + "\n"
    path = write(tmp_path, "a.txt", text)

    assert only_article(load_paths([path])).title == "Troops sent to Russia"


def test_txt_keeps_crlf_and_strips_only_the_bom(tmp_path: Path) -> None:
    text = "Troops sent to Russia\r\n\r\nThe agency said so.\r\n"
    path = write(tmp_path, "a.txt", b"\xef\xbb\xbf" + text.encode())

    article = only_article(load_paths([path]))

    assert article.text == text
    assert article.title == "Troops sent to Russia"


# .md


def test_md_front_matter_gives_metadata_and_body_is_the_text(tmp_path: Path) -> None:
    body = "\n# Ignored heading\n\nThe agency said more troops were sent.\n"
    text = (
        "---\nid: 42\ntitle: Troops sent\noutlet: Yonhap\npublished: 2025-02-27\n"
        "url: https://example.org/a\nauthor: Kim\nretrieved: 2025-03-01\n---\n" + body
    )
    path = write(tmp_path, "a.md", text)

    article = only_article(load_paths([path]))

    assert article.text == body
    assert (article.id, article.title, article.outlet) == ("42", "Troops sent", "Yonhap")
    assert article.published == "2025-02-27"
    assert article.url == "https://example.org/a"
    assert article.metadata == {"author": "Kim", "retrieved": "2025-03-01"}


def test_md_title_falls_back_to_the_leading_heading(tmp_path: Path) -> None:
    text = "# Troops sent to Russia\n\nThe agency said so.\n"
    path = write(tmp_path, "a.md", text)

    article = only_article(load_paths([path]))

    assert article.title == "Troops sent to Russia"
    assert article.text == text


def test_md_bad_front_matter_is_skipped_and_the_rest_loads(tmp_path: Path) -> None:
    bad_yaml = write(tmp_path, "bad.md", "---\ntitle: [unclosed\n---\nBody text.\n")
    unclosed = write(tmp_path, "open.md", "---\ntitle: x\nBody text.\n")
    good = write(tmp_path, "good.md", "Good body text.\n")

    report = load_paths([tmp_path])

    assert [a.source for a in report.articles] == [str(good.resolve())]
    assert "front matter is not valid YAML" in skipped_reason(report, bad_yaml)
    assert "end it with a line '---'" in skipped_reason(report, unclosed)


# .json and .jsonl


def test_json_single_record_maps_fields_and_keeps_the_rest_as_metadata(tmp_path: Path) -> None:
    record = {
        "id": 7,
        "title": "Troops sent",
        "publisher": "AFP",
        "published": "2025-02-27",
        "url": "https://example.org/b",
        "text": BODY,
        "lang": "en",
    }
    path = write(tmp_path, "a.json", json.dumps(record))

    article = only_article(load_paths([path]))

    assert (article.id, article.title, article.outlet) == ("7", "Troops sent", "AFP")
    assert (article.published, article.url) == ("2025-02-27", "https://example.org/b")
    assert article.text == BODY
    assert article.source == str(path.resolve())
    assert article.metadata == {"lang": "en"}


def test_explicit_outlet_wins_over_its_aliases(tmp_path: Path) -> None:
    record = {"outlet": "ANI", "source": "Yonhap", "text": BODY}
    path = write(tmp_path, "a.json", json.dumps(record))

    article = only_article(load_paths([path]))

    assert article.outlet == "ANI"
    assert article.metadata == {"source": "Yonhap"}


def test_json_list_loads_each_record_and_skips_those_without_text(tmp_path: Path) -> None:
    records = [{"title": "One", "text": "First text."}, {"title": "Two"}, "not a record"]
    path = write(tmp_path, "a.json", json.dumps(records))

    report = load_paths([path])

    assert [(a.title, a.source) for a in report.articles] == [("One", f"{path.resolve()}#0")]
    assert "non-empty 'text'" in skipped_reason(report, path, "#1")
    assert "must be a JSON object" in skipped_reason(report, path, "#2")


def test_jsonl_bad_line_is_skipped_by_line_number_and_the_rest_loads(tmp_path: Path) -> None:
    lines = [
        json.dumps({"title": "One", "text": "First text."}),
        '{"title": "Two", "text": ',
        "",
        json.dumps({"title": "Three", "text": "Third text.", "sitename": "CNN"}),
    ]
    path = write(tmp_path, "a.jsonl", "\n".join(lines) + "\n")

    report = load_paths([path])

    where = str(path.resolve())
    loaded = [(a.title, a.source, a.outlet) for a in report.articles]
    assert loaded == [("One", f"{where}#1", None), ("Three", f"{where}#4", "CNN")]
    assert [source for source, _ in report.skipped] == [f"{where}#2"]
    assert "not valid JSON" in report.skipped[0][1]


# .html


def test_html_main_text_and_metadata_come_from_trafilatura(tmp_path: Path) -> None:
    path = write(tmp_path, "page.html", PAGE)

    article = only_article(load_paths([path]))

    assert article.title == "Spy agency says more troops sent to Russia"
    assert article.outlet == "Example News"
    assert article.published == "2025-02-27"
    assert article.url == "https://news.example.org/2025/02/27/troops"
    assert "about 300 North Korean soldiers" in article.text
    assert "has not been observed for about three weeks" in article.text
    assert "Copyright" not in article.text
    assert "Sport" not in article.text
    assert article.id == hashlib.sha256(article.text.encode()).hexdigest()[:16]


# Sidecars


def test_yaml_sidecar_overrides_what_the_file_says(tmp_path: Path) -> None:
    path = write(tmp_path, "a.txt", " date 2025-02-26 Old headline\n\n" + BODY)
    write(
        tmp_path,
        "a.meta.yaml",
        "id: seed-1\ntitle: New title\noutlet: ANI\npublished: 27 February 2025\nnote: checked\n",
    )

    article = only_article(load_paths([tmp_path]))

    assert (article.id, article.title, article.outlet) == ("seed-1", "New title", "ANI")
    assert article.published == "2025-02-27"
    assert article.metadata == {"note": "checked"}
    assert article.source == str(path.resolve())
    assert article.text == " date 2025-02-26 Old headline\n\n" + BODY


def test_json_sidecar_describes_an_html_page(tmp_path: Path) -> None:
    path = write(tmp_path, "page.html", PAGE)
    write(tmp_path, "page.meta.json", json.dumps({"outlet": "Yonhap", "desk": "world"}))

    article = only_article(load_paths([path]))

    assert article.outlet == "Yonhap"
    assert article.title == "Spy agency says more troops sent to Russia"
    assert article.metadata["desk"] == "world"


def test_bad_sidecar_skips_its_article_with_the_sidecar_named(tmp_path: Path) -> None:
    broken = write(tmp_path, "a.txt", BODY)
    write(tmp_path, "a.meta.yaml", "outlet: [ANI\n")
    with_text = write(tmp_path, "b.txt", "Other text.\n")
    write(tmp_path, "b.meta.yaml", "text: replaced\n")

    report = load_paths([tmp_path])

    assert report.articles == []
    assert "sidecar a.meta.yaml is not valid YAML" in skipped_reason(report, broken)
    assert "sidecar b.meta.yaml sets 'text'" in skipped_reason(report, with_text)


# The bundled samples, as they are


def test_bundled_samples_load_with_their_provenance() -> None:
    report = load_paths([SAMPLES])

    assert report.skipped == []
    assert report.warnings == []
    by_name = {Path(a.source).name: a for a in report.articles}
    assert sorted(by_name) == ["000_8af7fcc676007934.txt", "002_30923467c61e66e4.txt"]

    ani = by_name["000_8af7fcc676007934.txt"]
    assert ani.title == (
        "South Korea spy agency says North Korea sent more troops to Russia in latest "
        "deployment against Ukraine"
    )
    assert (ani.outlet, ani.published) == ("ANI", "2025-02-27")
    assert "provenance" in ani.metadata

    kyiv = by_name["002_30923467c61e66e4.txt"]
    assert kyiv.title == "South Korea's spy agency says North Korea sent more troops to Russia"
    assert (kyiv.outlet, kyiv.published) == ("The Kyiv Independent", "2025-02-27")

    for name, article in by_name.items():
        assert article.text == (SAMPLES / name).read_text(encoding="utf-8")


def test_seed_texts_alone_give_the_headline_date_and_skip_the_editors_note(
    tmp_path: Path,
) -> None:
    for name in ("000_8af7fcc676007934.txt", "002_30923467c61e66e4.txt"):
        write(tmp_path, name, (SAMPLES / name).read_bytes())

    ani, kyiv = load_paths([tmp_path]).articles

    assert ani.title.startswith("South Korea spy agency says North Korea sent more troops")
    assert ani.published == "2025-02-27"
    assert kyiv.title.startswith("North Korea has deployed additional troops to Russia")
    assert not kyiv.title.startswith("Editor")
    assert kyiv.published is None


# Dates


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("2025-02-27", "2025-02-27"),
        ("2025-02-27T23:30:00-05:00", "2025-02-27"),  # the outlet's day, not UTC's
        ("Feb 27, 2025", "2025-02-27"),
        ("27 February 2025", "2025-02-27"),
        ("Thursday, February 27, 2025 1:38 PM IST", "2025-02-27"),
    ],
)
def test_published_dates_are_normalised_to_iso(tmp_path: Path, written: str, expected: str) -> None:
    path = write(tmp_path, "a.json", json.dumps({"published": written, "text": BODY}))

    report = load_paths([path])

    assert only_article(report).published == expected
    assert report.warnings == []


@pytest.mark.parametrize("written", ["Feb. 27", "yesterday", "soon"])
def test_unreadable_date_loads_the_article_without_a_date_and_warns(
    tmp_path: Path, written: str
) -> None:
    path = write(tmp_path, "a.json", json.dumps({"published": written, "text": BODY}))

    report = load_paths([path])

    assert only_article(report).published is None
    assert len(report.warnings) == 1
    where, warning = report.warnings[0]
    assert where == str(path.resolve())
    assert repr(written) in warning
    assert "YYYY-MM-DD" in warning


# Bad input and folders


def test_bad_files_are_skipped_with_a_reason_and_the_rest_loads(tmp_path: Path) -> None:
    good = write(tmp_path, "good.txt", BODY)
    binary = write(tmp_path, "binary.txt", b"PK\x03\x04\x00\x00binary")
    latin1 = write(tmp_path, "latin1.txt", "Caf\xe9 news".encode("latin-1"))
    empty = write(tmp_path, "empty.txt", "")
    blank = write(tmp_path, "blank.md", " \n\t\n")
    bad_json = write(tmp_path, "bad.json", '{"text": "x",}')

    report = load_paths([tmp_path])

    assert [a.source for a in report.articles] == [str(good.resolve())]
    assert len(report.skipped) == 5
    assert "binary" in skipped_reason(report, binary)
    assert "re-save it as UTF-8" in skipped_reason(report, latin1)
    assert "empty file" in skipped_reason(report, empty)
    assert "empty file" in skipped_reason(report, blank)
    assert "not valid JSON (line 1 column 14" in skipped_reason(report, bad_json)


def test_unreadable_file_is_skipped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    locked = write(tmp_path, "locked.txt", BODY)
    write(tmp_path, "open.txt", "Other text.\n")
    read_bytes = Path.read_bytes

    def refuse_locked(self: Path) -> bytes:
        # Permissions can't be relied on here (tests may run as root), so refuse like the OS would.
        if self.name == "locked.txt":
            raise PermissionError(13, "Permission denied")
        return read_bytes(self)

    monkeypatch.setattr(Path, "read_bytes", refuse_locked)

    report = load_paths([tmp_path])

    assert [Path(a.source).name for a in report.articles] == ["open.txt"]
    assert "cannot be read (Permission denied)" in skipped_reason(report, locked)


def test_missing_path_raises_naming_it(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere" / "a.txt"

    with pytest.raises(IngestError, match=re.escape(f"{missing}: no such file or folder")):
        load_paths([write(tmp_path, "a.txt", BODY), missing])


def test_folder_walk_is_recursive_sorted_and_ignores_non_articles(tmp_path: Path) -> None:
    write(tmp_path, "b.txt", "Bee text.\n")
    write(tmp_path, "a/z.md", "Zed text.\n")
    write(tmp_path, "a/b.jsonl", json.dumps({"text": "Line text."}) + "\n")
    write(tmp_path, "README.md", "# About this folder\n\nNot an article.\n")
    write(tmp_path, "a/readme.txt", "Not an article either.\n")
    write(tmp_path, "notes.csv", "a,b\n")
    write(tmp_path, ".hidden.txt", "Hidden text.\n")
    write(tmp_path, ".cache/c.txt", "Cached text.\n")

    report = load_paths([tmp_path])

    assert report.skipped == []
    assert [a.text for a in report.articles] == ["Line text.", "Zed text.\n", "Bee text.\n"]


def test_explicit_unsupported_file_is_skipped_listing_supported_types(tmp_path: Path) -> None:
    path = write(tmp_path, "a.pdf", b"%PDF-1.7 text")

    report = load_paths([path])

    assert report.articles == []
    reason = skipped_reason(report, path)
    assert "unsupported file type '.pdf'" in reason
    assert ".htm, .html, .json, .jsonl, .md, .txt" in reason


def test_a_file_named_twice_loads_once(tmp_path: Path) -> None:
    path = write(tmp_path, "a.txt", BODY)

    report = load_paths([path, tmp_path])

    assert len(only_article(report).text) == len(BODY)


def test_same_text_in_two_files_keeps_the_first_and_reports_the_second(tmp_path: Path) -> None:
    first = write(tmp_path, "a.txt", BODY)
    second = write(tmp_path, "b.txt", BODY)

    report = load_paths([tmp_path])

    assert [a.source for a in report.articles] == [str(first.resolve())]
    assert f"as {first.resolve()}" in skipped_reason(report, second)
