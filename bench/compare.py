"""Two `make bench` results side by side, as a Markdown table.

    .venv/bin/python bench/compare.py bench/results/<before>.json \\
        bench/results/latest.json > bench/RESULTS.md-table
"""

import json
import sys
from pathlib import Path


def _row(label: str, before: dict | None, after: dict | None, ratio: bool) -> str:
    def cell(figures: dict | None) -> str:
        if not figures:
            return "–"
        text = f"{figures['rps']:.0f} req/s, p99 {figures['p99_ms']:.0f} ms"
        if ratio:
            text += f", ratio {figures['ratio']:.2f}"
        return text

    return f"| {label} | {cell(before)} | {cell(after)} |"


def table(before: dict, after: dict) -> str:
    lines = [
        "| page | before | after |",
        "| --- | --- | --- |",
    ]
    for audience in ("public", "member"):
        lines.append(
            _row(
                f"baseline ({audience})",
                before["baselines"].get(audience),
                after["baselines"].get(audience),
                ratio=False,
            )
        )
    earlier = {page["label"]: page for page in before["pages"]}
    for page in after["pages"]:
        lines.append(
            _row(
                f"{page['label']} ({page['audience']})",
                earlier.get(page["label"]),
                page,
                ratio=True,
            )
        )

    def rss(result: dict) -> str:
        sizes = result.get("worker_rss_mb") or []
        return f"{max(sizes):.0f} MB" if sizes else "–"

    def mailing(result: dict) -> str:
        figures = result.get("mailing") or {}
        return f"{figures['ratio']:.2f}" if "ratio" in figures else "–"

    def clone(result: dict) -> str:
        seconds = result.get("fresh_clone_make_run_seconds")
        return f"{seconds:.0f} s" if seconds else "–"

    lines += [
        f"| worker RSS after the run (largest) | {rss(before)} | {rss(after)} |",
        f"| mailing ratio to plain smtplib | {mailing(before)} | {mailing(after)} |",
        f"| fresh clone, `make run` to a page | {clone(before)} | {clone(after)} |",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    before_path, after_path = (Path(argument) for argument in sys.argv[1:3])
    before, after = (json.loads(path.read_text()) for path in (before_path, after_path))
    print(table(before, after))
