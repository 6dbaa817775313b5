"""The Markdown report of a run (with matplotlib plots beside it) and its terminal summary."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")  # files only: no display on servers and in CI

import matplotlib.pyplot as plt

from eval.metrics import METRICS

Results = dict[str, Any]
WORST = 8
# Metrics on a 0-1 scale, plotted together; latencies get their own plot.
SHARES = [m for m in METRICS if not m.startswith("latency")]


def _fmt(value: float | None, digits: int = 3) -> str:
    return "n/a" if value is None else f"{value:.{digits}f}"


def _delta(now: float | None, before: float | None) -> str:
    return "" if now is None or before is None else f"{now - before:+.3f}"


def render_summary(doc: Results, previous: Results | None = None) -> str:
    """The metrics as aligned text lines, with the change from `previous` when given."""
    before = previous["metrics"] if previous else {}
    lines = [f"{len(doc['questions'])} questions ({doc['meta']['mode']}, {doc['meta']['gold']})"]
    for name, value in doc["metrics"].items():
        change = _delta(value, before.get(name))
        lines.append(f"  {name:<20} {_fmt(value):>7} {change}".rstrip())
    if doc["metrics"]["citation_recall"] is None:
        lines.append("  (citation_recall unavailable: app.verify.support is not importable)")
    return "\n".join(lines)


def write_report(path: Path, doc: Results, previous: Results | None = None) -> list[Path]:
    """Write the Markdown report at `path` and its PNG plots beside it; returns the PNGs."""
    path.parent.mkdir(parents=True, exist_ok=True)
    stem = path.with_suffix("")
    plots = [
        _plot_metrics(Path(f"{stem}_metrics.png"), doc, previous),
        _plot_tags(Path(f"{stem}_tags.png"), doc),
        _plot_latency(Path(f"{stem}_latency.png"), doc),
    ]
    parts = [
        _header(doc),
        _metrics_table(doc, previous),
        *(f"![{p.stem}]({p.name})" for p in plots),
        _tags_table(doc),
        _comparison(doc, previous) if previous else "",
        _worst(doc),
    ]
    path.write_text("\n\n".join(p for p in parts if p) + "\n", encoding="utf-8")
    return plots


def _header(doc: Results) -> str:
    meta = doc["meta"]
    facts = ", ".join(f"{k}: `{v}`" for k, v in meta.items() if k != "n")
    return f"# Evaluation report\n\n{meta['n']} questions; {facts}."


def _metrics_table(doc: Results, previous: Results | None) -> str:
    before = previous["metrics"] if previous else {}
    head = (
        "| metric | value | previous | change | what it measures |\n| --- | --- | --- | --- | --- |"
    )
    rows = [
        f"| {name} | {_fmt(value)} | {_fmt(before.get(name))} | "
        f"{_delta(value, before.get(name))} | {METRICS[name]} |"
        for name, value in doc["metrics"].items()
    ]
    note = ""
    if doc["metrics"]["citation_recall"] is None:
        note = "\n\ncitation_recall: unavailable (the verifier `app.verify.support` is not importable)."
    return "## Metrics\n\n" + "\n".join([head, *rows]) + note


def _tags_table(doc: Results) -> str:
    if not doc["by_tag"]:
        return ""
    cols = [
        "correctness",
        "claimant_accuracy",
        "evidence_recall",
        "citation_precision",
        "abstention",
    ]
    head = f"| tag | n | {' | '.join(cols)} |\n|{' --- |' * (len(cols) + 2)}"
    rows = [
        f"| {tag} | {m['n']} | " + " | ".join(_fmt(m[c], 2) for c in cols) + " |"
        for tag, m in doc["by_tag"].items()
    ]
    return "## By tag\n\n" + "\n".join([head, *rows])


def badness(q: dict[str, Any]) -> float:
    """How far a question's answer is from right (0 = perfect): the mean shortfall of the
    scores that apply to it; an unanswerable question answered counts as wholly wrong."""
    s = q["scores"]
    if q["unanswerable"]:
        return 0.0 if s["refused"] else 1.0
    parts = [s["facts"], s["claimant"], s["evidence_recall"], s["citation_precision"]]
    present = [float(p) for p in parts if p is not None]
    return 1 - sum(present) / len(present) if present else float(s["refused"])


def _worst(doc: Results) -> str:
    ranked = sorted(doc["questions"], key=badness, reverse=True)[:WORST]
    blocks = [_question_block(q) for q in ranked if badness(q) > 0]
    return "## Worst questions\n\n" + (
        "\n\n".join(blocks) if blocks else "None: every answer scored full marks."
    )


def _question_block(q: dict[str, Any]) -> str:
    s = q["scores"]
    scores = ", ".join(
        f"{k} {_fmt(v, 2) if isinstance(v, float) else v}"
        for k, v in s.items()
        if v is not None and k not in ("unsupported_sentences", "latency_s")
    )
    lines = [f"### `{q['id']}`: {q['question']}", "", f"Scores: {scores}."]
    if q["unanswerable"]:
        lines.append("Expected: a refusal (unanswerable).")
    if q["facts"]:
        lines.append("Expected facts: " + "; ".join(" / ".join(f) for f in q["facts"]) + ".")
    if q["claimants"]:
        lines.append("Expected claimant: " + "; ".join(" / ".join(c) for c in q["claimants"]) + ".")
    answer = q["answer"]
    if answer is None:
        lines.append(f"\nNo answer: {q['error']}")
        return "\n".join(lines)
    lines += ["", "> " + answer["answer"].replace("\n", " ")]
    for c in answer["citations"]:
        lines.append(f"> - [{c['n']}] `{c['article_id']}:{c['start']}-{c['end']}` “{c['quote']}”")
    claims = [f"{c['claimant']} ({c['cue']}) [{c['citation']}]" for c in answer["claims"]]
    if claims:
        lines.append("\nClaims: " + "; ".join(claims) + ".")
    return "\n".join(lines)


def _comparison(doc: Results, previous: Results) -> str:
    """Questions whose answers got better or worse since the previous run."""
    before = {q["id"]: badness(q) for q in previous["questions"]}
    changed = [
        (q["id"], before[q["id"]], badness(q))
        for q in doc["questions"]
        if q["id"] in before and abs(badness(q) - before[q["id"]]) > 1e-9
    ]
    text = f"## Compared with the previous run\n\nPrevious: `{previous['meta'].get('gold')}` ({previous['meta'].get('finished_at', '?')})."
    if not changed:
        return text + " No question changed."
    rows = [
        f"| `{i}` | {1 - b:.2f} | {1 - a:.2f} |"
        for i, b, a in sorted(changed, key=lambda c: c[2] - c[1])
    ]
    return (
        text
        + "\n\n| question | score before | score now |\n| --- | --- | --- |\n"
        + "\n".join(rows)
    )


def _plot_metrics(path: Path, doc: Results, previous: Results | None) -> Path:
    names = [m for m in SHARES if doc["metrics"][m] is not None]
    fig, ax = plt.subplots(figsize=(7, 0.4 * len(names) + 1))
    y = range(len(names))
    ax.barh([i + 0.2 for i in y], [doc["metrics"][m] for m in names], height=0.4, label="this run")
    if previous:
        old = [previous["metrics"].get(m) or 0.0 for m in names]
        ax.barh([i - 0.2 for i in y], old, height=0.4, label="previous", alpha=0.6)
        ax.legend(loc="lower right")
    ax.set_yticks(list(y), names)
    ax.set_xlim(0, 1)
    ax.invert_yaxis()
    ax.set_title("Metrics (0-1)")
    return _save(fig, path)


def _plot_tags(path: Path, doc: Results) -> Path:
    tags = list(doc["by_tag"])
    shown = ["correctness", "claimant_accuracy", "evidence_recall"]
    fig, ax = plt.subplots(figsize=(max(5, 0.9 * len(tags) + 2), 3.5))
    width = 0.8 / len(shown)
    for j, metric in enumerate(shown):
        xs = [i + j * width for i in range(len(tags))]
        ax.bar(xs, [doc["by_tag"][t][metric] or 0.0 for t in tags], width, label=metric)
    ax.set_xticks([i + 0.4 - width / 2 for i in range(len(tags))], tags, rotation=30, ha="right")
    ax.set_ylim(0, 1)
    ax.legend(fontsize="small")
    ax.set_title("By tag")
    return _save(fig, path)


def _plot_latency(path: Path, doc: Results) -> Path:
    latencies: Sequence[float] = [
        q["scores"]["latency_s"] for q in doc["questions"] if q["scores"]["latency_s"] is not None
    ]
    fig, ax = plt.subplots(figsize=(6, 3))
    ax.hist(latencies, bins=min(20, max(1, len(latencies))))
    ax.set_xlabel("seconds per question")
    ax.set_ylabel("questions")
    ax.set_title("Latency")
    return _save(fig, path)


def _save(fig: Any, path: Path) -> Path:
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path
