"""The PolNeAR reader on a tiny hand-made folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from eval.polnear import GoldAttribution, PolnearFormatError, load_split, read_ann

TEXT = "Budget Fight\nThe mayor said the budget was late. Critics disagreed.\n"
METADATA = (
    "compartment\tfilename\tlevel\tannotators\tpublisher\tpublication_date\tauthor\ttitle\n"
    "dev\tcity_2016-01-02_budget\t1\tab\tcity-news\t2016-01-02\tA. Writer\tBudget Fight\n"
)
# The annotator chosen ("a", first in sorted order) marks a discontinuous content, an
# attribution without a source, and a span whose text runs over a line break.
ANN_A = (
    "T1\tSource 13 22\tThe mayor\n"
    "T2\tCue 23 27\tsaid\n"
    "T3\tContent 28 36;40 47\tthe budg late\n"
    "T4\tAttribution 23 27\tsaid\n"
    "E1\tAttribution:T4 Content:T3 Cue:T2 Source:T1\n"
    "T5\tCue 56 65\tdisagreed\n"
    "T6\tContent 0 20\tBudget Fight\n"
    "The mayor\n"
    "T7\tAttribution-no-source 56 65\tdisagreed\n"
    "E2\tAttribution-no-source:T7 Cue:T5 Content:T6\n"
)
ANN_B = "T1\tCue 23 27\tsaid\nE1\tAttribution:T1 Cue:T1\n"


def make_folder(root: Path) -> Path:
    (root / "dev" / "text").mkdir(parents=True)
    (root / "dev" / "attributions").mkdir(parents=True)
    (root / "metadata.tsv").write_text(METADATA, encoding="utf-8")
    (root / "dev" / "text" / "city_2016-01-02_budget.txt").write_text(TEXT, encoding="utf-8")
    attributions = root / "dev" / "attributions"
    (attributions / "city_2016-01-02_budget_b.ann").write_text(ANN_B, encoding="utf-8")
    (attributions / "city_2016-01-02_budget_a.ann").write_text(ANN_A, encoding="utf-8")
    return root


def test_load_split_reads_article_and_first_annotator(tmp_path: Path) -> None:
    [doc] = load_split(make_folder(tmp_path), "dev")
    article = doc.article
    assert article.id == "city_2016-01-02_budget"
    assert article.title == "Budget Fight"
    assert article.text == TEXT
    assert (article.outlet, article.published) == ("city-news", "2016-01-02")
    assert doc.attributions == [
        GoldAttribution(source=((13, 22),), cue=((23, 27),), content=((28, 36), (40, 47))),
        GoldAttribution(source=(), cue=((56, 65),), content=((0, 20),)),
    ]
    assert TEXT[13:22] == "The mayor"


def test_load_split_limit(tmp_path: Path) -> None:
    assert load_split(make_folder(tmp_path), "dev", limit=0) == []


def test_not_a_polnear_folder_says_what_is_expected(tmp_path: Path) -> None:
    with pytest.raises(PolnearFormatError, match=r"metadata\.tsv.*<split>/text"):
        load_split(tmp_path, "dev")


def test_unknown_split_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(PolnearFormatError, match="split 'test'"):
        load_split(make_folder(tmp_path), "test")


def test_malformed_ann_line_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "bad.ann"
    path.write_text("T1\tSource zero 5\tx\n", encoding="utf-8")
    with pytest.raises(PolnearFormatError, match=r"bad\.ann:1"):
        read_ann(path)
