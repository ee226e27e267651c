"""benchmarks/RESULTS.md from the suites' latest result records (never edited by hand).

A table cell is text, a number, ``None`` (shown as "-"), or a list of numbers,
one per seed or repeat, shown as "mean ± std (n)". A table may give a format
per column (``"formats": [".3f", ...]``); numbers are shown with three
significant figures otherwise.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from benchmarks.common import REPO_ROOT
from benchmarks.registry import SUITES

RESULTS_MD = REPO_ROOT / "benchmarks" / "RESULTS.md"
NOT_FINISHED = {
    "running": "started but did not finish (killed or still running)",
    "interrupted": "interrupted before it finished",
    "failed": "failed",
    "skipped": "skipped",
}  # "partial" (a ledger tabulated before all its runs finished) shows its tables


def number(value: float, spec: str = "") -> str:
    """A number as text: ``spec`` if given, else 3 significant figures (thousands grouped)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    if spec:
        return format(value, spec)
    if isinstance(value, int) or abs(value) >= 1000:
        return f"{value:,.0f}"
    return f"{value:.3g}"


def cell(value: Any, spec: str = "") -> str:
    """One table cell; a list of numbers becomes mean ± std over its n values."""
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (int, float)):
        return number(value, spec)
    if isinstance(value, Sequence) and not isinstance(value, str):
        values = [float(v) for v in value]
        if not values:
            return "-"
        mean = sum(values) / len(values)
        if len(values) == 1:
            return f"{number(mean, spec)} (n=1)"
        std = math.sqrt(sum((v - mean) ** 2 for v in values) / (len(values) - 1))
        return f"{number(mean, spec)} ± {number(std, spec)} (n={len(values)})"
    return str(value).replace("|", "\\|").replace("\n", " ")


def table(spec: dict[str, Any]) -> list[str]:
    """A suite table as markdown lines (title, header, rows)."""
    columns = spec["columns"]
    formats = spec.get("formats") or [""] * len(columns)
    lines = [f"**{spec['title']}**", ""] if spec.get("title") else []
    lines.append("| " + " | ".join(columns) + " |")
    lines.append("|" + "|".join("---" for _ in columns) + "|")
    for row in spec["rows"]:
        cells = [cell(v, f) for v, f in zip(row, formats, strict=True)]
        lines.append("| " + " | ".join(cells) + " |")
    return [*lines, ""]


def machine_line(record: dict[str, Any]) -> str:
    machine = record.get("machine", {})
    versions = ", ".join(f"{k} {v}" for k, v in machine.get("libraries", {}).items())
    load = machine.get("load_average_1min")
    return (
        f"Machine: {machine.get('cores')} cores, {machine.get('cpu')}, "
        f"GPU: {machine.get('gpu') or 'none'}, {machine.get('torch_threads')} torch "
        f"threads, 1-min load {number(load or 0.0, '.1f')} at start; {versions}."
    )


def suite_section(name: str, record: dict[str, Any] | None) -> list[str]:
    """The markdown of one suite: provenance, then its tables, checks, notes and sources."""
    title = SUITES[name].title
    lines = [f"## {title} (`{name}`)", ""]
    if record is None:
        return [*lines, "Not run on this checkout yet (`make bench`).", ""]
    status = record.get("status")
    settings = ", ".join(f"{k}={v}" for k, v in record.get("settings", {}).items())
    lines.append(
        f"Run {record.get('started')} at commit `{record.get('commit')}`, "
        f"{record.get('mode')} settings ({settings}); "
        f"wall time {number(record.get('wall_s', float('nan')), '.0f')} s, "
        f"CPU time {number(record.get('cpu_s', float('nan')), '.0f')} s."
    )
    lines += ["", machine_line(record), ""]
    if status == "partial":
        units = record.get("units", {})
        lines += [
            f"**Partial:** {units.get('measured')} of {units.get('expected')} runs are in "
            "the ledger so far; the tables and checks cover those only (n per row), "
            "and the rest run on the next `make bench`.",
            "",
        ]
    elif status != "finished":
        reason = record.get("reason", "")
        if status == "skipped":
            return [*lines, f"**Skipped:** {reason}".rstrip(), ""]
        word = NOT_FINISHED.get(status, str(status))
        return [*lines, f"**Did not finish: {word}.** {reason}".rstrip(), ""]
    for spec in record.get("tables", []):
        lines += table(spec)
    for check, passed in record.get("checks", {}).items():
        scope = " (on the runs so far)" if status == "partial" else ""
        lines.append(f"- Check{scope}: {check}: **{'PASS' if passed else 'FAIL'}**")
    lines += [f"- {note}" for note in record.get("notes", [])]
    lines += [f"- Source: {source}" for source in record.get("sources", [])]
    return [*lines, ""]


def render(results: dict[str, dict[str, Any]]) -> str:
    """The whole RESULTS.md: an index of every registered suite, then one section each."""
    lines = [
        "# tscl benchmark results",
        "",
        "Generated by `make bench` (full settings) or `make bench-quick` (the quick "
        "subset) through `python -m benchmarks run`, from `benchmarks/results/suites/*.json`; "
        "do not edit by hand. Speed figures are ratios measured side by side in one "
        "run; mean ± std is over seeds (or timing repeats where stated). Each suite "
        "states its machine and date; one that did not finish says so.",
        "",
        "| suite | status | settings | run | wall s | cpu s |",
        "|---|---|---|---|---:|---:|",
    ]
    for name in SUITES:
        record = results.get(name)
        if record is None:
            lines.append(f"| `{name}` | not run | - | - | - | - |")
            continue
        lines.append(
            f"| [`{name}`](#{anchor(name)}) | {record.get('status')} | "
            f"{record.get('mode')} | {record.get('started')} | "
            f"{number(record.get('wall_s', float('nan')), '.0f')} | "
            f"{number(record.get('cpu_s', float('nan')), '.0f')} |"
        )
    lines.append("")
    lines.append(
        "CPU s counts every thread of the runner and its child processes; divided by "
        "the torch threads it estimates the wall time on an idle machine."
    )
    lines.append("")
    for name in SUITES:
        lines += suite_section(name, results.get(name))
    return "\n".join(lines).rstrip() + "\n"


def anchor(name: str) -> str:
    """GitHub's heading anchor of a suite's section."""
    heading = f"{SUITES[name].title} ({name})".lower()
    kept = "".join(c for c in heading if c.isalnum() or c in " -_")
    return kept.replace(" ", "-")


def committed_parts(text: str) -> tuple[dict[str, str], dict[str, list[str]]]:
    """The index row and section of each suite in an existing RESULTS.md, by name."""
    rows, sections = {}, {}
    current: str | None = None
    for line in text.splitlines():
        if line.startswith("## ") and line.rstrip().endswith("`)"):
            current = line.rstrip()[:-2].rsplit("(`", 1)[-1]
            sections[current] = []
        elif line.startswith("| [`") or line.startswith("| `"):
            name = line.split("`")[1]
            if name in SUITES:
                rows[name] = line
        if current is not None:
            sections[current].append(line)
    return rows, {name: lines for name, lines in sections.items() if name in SUITES}


def write(results: dict[str, dict[str, Any]], path: Path = RESULTS_MD) -> Path:
    """RESULTS.md from ``results``; a suite without a record here keeps its committed
    section (results/ is local: a fresh clone that reruns one suite keeps the others'
    figures, each with the run, commit and machine it states)."""
    text = render(results)
    if path.is_file():
        rows, sections = committed_parts(path.read_text())
        for name in SUITES:
            if name in results or name not in sections:
                continue
            if name in rows:
                text = text.replace(
                    f"| `{name}` | not run | - | - | - | - |", rows[name]
                )
            stub = "\n".join(suite_section(name, None))
            kept = "\n".join(sections[name]).rstrip() + "\n"
            text = text.replace(stub, kept, 1)
    path.write_text(text)
    return path
