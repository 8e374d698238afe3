"""Mutation score by file from a finished ``mutmut run`` (``make mutation`` prints it).

Reads mutants/**/*.py.meta and the equivalent mutants listed in docs/testing.md (lines that
start with "- `<mutant name>`"), which are not counted. The score is killed / (mutants - equivalent),
a timeout counting as killed and a mutant no test reaches as survived.

    python -m tests.mutation_score [--min 90] [--only app/domain/]
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MUTANTS = ROOT / "mutants"
DOCS = ROOT / "docs" / "testing.md"
KILLED = {1, 3, 24, -24, 36, 152, 255}
SURVIVED = {0, 5, 33}
_EQUIVALENT = re.compile(r"^- `([\w.\u01c1]+__mutmut_\d+)`", re.MULTILINE)


def equivalent_mutants(text: str) -> set[str]:
    """Mutant names listed as equivalent in the testing doc; mutmut writes the class separator as 'ǁ'."""
    return set(_EQUIVALENT.findall(text))


def tally(meta: dict, equivalent: set[str]) -> Counter:
    counts: Counter = Counter()
    for name, code in meta.get("exit_code_by_key", {}).items():
        if name in equivalent:
            counts["equivalent"] += 1
        elif code in KILLED:
            counts["killed"] += 1
        elif code in SURVIVED:
            counts["survived"] += 1
        elif code is None:
            counts["not checked"] += 1
        else:
            counts["other"] += 1
    return counts


def score(counts: Counter) -> float | None:
    counted = counts["killed"] + counts["survived"] + counts["other"]
    return 100.0 * counts["killed"] / counted if counted else None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--min", type=float, default=None, help="fail when the total of --only is below this score")
    parser.add_argument("--only", default="app/domain/", help="the files the --min score applies to")
    args = parser.parse_args(argv)
    equivalent = equivalent_mutants(DOCS.read_text(encoding="utf-8")) if DOCS.exists() else set()
    rows = []
    for meta_path in sorted(MUTANTS.rglob("*.py.meta")):
        counts = tally(json.loads(meta_path.read_text(encoding="utf-8")), equivalent)
        if sum(counts.values()):
            rows.append((str(meta_path.relative_to(MUTANTS))[: -len(".meta")], counts))
    if not rows:
        print("no mutation results: run `make mutation` first", file=sys.stderr)
        return 2
    header = f"{'file':32} {'killed':>7} {'survived':>8} {'other':>6} {'equiv.':>6} {'unchecked':>9} {'score':>7}"
    print(header)
    print("-" * len(header))
    selected: Counter = Counter()
    for path, counts in rows:
        value = score(counts)
        shown = f"{value:6.1f}%" if value is not None else "      –"
        print(f"{path:32} {counts['killed']:7} {counts['survived']:8} {counts['other']:6} {counts['equivalent']:6} "
              f"{counts['not checked']:9} {shown}")
        if path.startswith(args.only):
            selected += counts
    total = score(selected)
    print(f"{args.only + ' total':32} {selected['killed']:7} {selected['survived']:8} {selected['other']:6} "
          f"{selected['equivalent']:6} {selected['not checked']:9} "
          + (f"{total:6.1f}%" if total is not None else "      –"))
    if args.min is not None and (total is None or total < args.min):
        print(f"mutation score of {args.only} is below {args.min:g}%", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
