"""The cue learner on a tiny PolNeAR-format folder written by the test."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from eval.cli import eval_app
from eval.learn_cues import count_cues, cue_head, parse_split, select
from eval.polnear import load_split
from indexer.claims import LearnedCues
from indexer.split import parse

TEXT = (
    "Ann said that rain fell.\nBob said the river rose.\nCal said nothing.\nDan argued for peace.\n"
)


def _span(text: str, words: str, after: int = 0) -> tuple[int, int]:
    start = text.index(words, after)
    return start, start + len(words)


def _write_folder(root: Path) -> Path:
    (root / "train" / "text").mkdir(parents=True)
    (root / "train" / "attributions").mkdir(parents=True)
    (root / "metadata.tsv").write_text(
        "compartment\tfilename\tpublisher\tpublication_date\ntrain\tdoc\twire\t2016-01-01\n",
        encoding="utf-8",
    )
    (root / "train" / "text" / "doc.txt").write_text(TEXT, encoding="utf-8")
    roles = [
        ("Ann", "said", "that rain fell", 0),
        ("Bob", "said", "the river rose", TEXT.index("Bob")),
        ("Dan", "argued", "for peace", 0),
    ]
    lines: list[str] = []
    for n, (source, cue, content, after) in enumerate(roles):
        for k, (role, words) in enumerate((("Source", source), ("Cue", cue), ("Content", content))):
            s, e = _span(TEXT, words, after)
            lines.append(f"T{3 * n + k + 1}\t{role} {s} {e}\t{words}")
        lines.append(f"E{n + 1}\tCue:T{3 * n + 2} Content:T{3 * n + 3} Source:T{3 * n + 1}")
    (root / "train" / "attributions" / "doc_x.ann").write_text(
        "\n".join(lines) + "\n", encoding="utf-8"
    )
    return root


def test_counts_gold_heads_occurrences_and_content_relations(tmp_path: Path) -> None:
    docs = load_split(_write_folder(tmp_path / "polnear"), "train")
    parsed = parse_split(docs, None)
    stats = count_cues([(parsed[0], docs[0].attributions)])
    say, argue = stats[("VERB", "say")], stats[("VERB", "argue")]
    assert (say.gold, say.seen) == (2, 3)
    assert (argue.gold, argue.seen) == (1, 1)
    assert dict(say.content) == {"ccomp": 2}
    assert dict(argue.content) == {"prep:for": 1}
    head = cue_head(parsed[0], [_span(TEXT, "argued")])
    assert head is not None and head.lemma_ == "argue"


def test_select_keeps_lemmas_and_frames_by_count_and_precision(tmp_path: Path) -> None:
    docs = load_split(_write_folder(tmp_path / "polnear"), "train")
    stats = count_cues([(parse_split(docs, None)[0], docs[0].attributions)])
    assert stats[("VERB", "say")].frames == {"nsubj": 3, "ccomp": 2, "dobj": 1}

    def kept(k: int, p: float) -> dict[str, frozenset[str]]:
        return dict(LearnedCues.from_json(select(stats, k, p)).verbs)

    assert kept(1, 0.5) == {"say": frozenset({"ccomp"}), "argue": frozenset({"prep:for"})}
    assert kept(2, 0.5) == {"say": frozenset({"ccomp"})}
    # "say" heads a cue in 2 of its 3 uses, but in both of its uses with a clause.
    assert kept(2, 0.9) == {"say": frozenset({"ccomp"})}
    assert kept(3, 0.1) == {}


def test_command_writes_the_lexicon_with_its_cross_validation(tmp_path: Path) -> None:
    folder = _write_folder(tmp_path / "polnear")
    out = tmp_path / "cues.json"
    cache = tmp_path / "train.spacy"
    args = ["learn-cues", str(folder), "--split", "train", "--out", str(out), "--folds", "1"]
    result = CliRunner().invoke(eval_app, [*args, "--parsed", str(cache)])
    assert result.exit_code == 0, result.output
    data = json.loads(out.read_text(encoding="utf-8"))
    assert {"k", "p", "cues", "cross_validation", "about"} <= data.keys()
    assert cache.exists()
    assert LearnedCues.from_json(data).verbs.keys() <= {"say", "argue"}


def test_cue_head_of_a_copula_or_light_verb_cue_is_its_predicate() -> None:
    text = "Nora Lind is wary of the plan. Ivo Petrov made the case that fares should fall."
    doc = parse(text)
    wary = cue_head(doc, [_span(text, "is wary of")])
    assert wary is not None and (wary.lemma_, wary.pos_) == ("wary", "ADJ")
    case = cue_head(doc, [_span(text, "made the case")])
    assert case is not None and (case.lemma_, case.pos_) == ("case", "NOUN")
