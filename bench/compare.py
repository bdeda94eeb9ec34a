"""Reprint a `make bench` result's table, or set two results' median ratios side by
side (the ratio is the figure that survives a busy machine; req/s does not).

    .venv/bin/python bench/compare.py bench/results/latest.json
    .venv/bin/python bench/compare.py bench/results/<before>.json latest.json
"""

import json
import sys
from pathlib import Path

from run import table


def side_by_side(before: dict, after: dict) -> str:
    earlier = {(r["kind"], r["connections"]): r for r in before["rows"]}
    lines = [
        f"load average: before run {before['load_before']}, "
        f"after run {after['load_before']}",
        "",
        "| page | conns | median ratio before | median ratio after |",
        "| --- | --: | --: | --: |",
    ]
    for row in after["rows"]:
        old = earlier.get((row["kind"], row["connections"]))
        old_ratio = f"{old['ratio'][1]:.2f}" if old else "–"
        lines.append(
            f"| {row['kind']} | {row['connections']} | {old_ratio} "
            f"| {row['ratio'][1]:.2f} |"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    results = [json.loads(Path(name).read_text()) for name in sys.argv[1:3]]
    print(table(results[0]) if len(results) == 1 else side_by_side(*results))
