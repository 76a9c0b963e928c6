"""After pytest: branch coverage per app, and the refusals no test reached.

Run by ``./dev test`` after pytest (which it runs with ``--cov=kenes --cov-branch``), or by hand:
``.venv/bin/python tests/coverage_report.py [--data FILE] [--strict]``. It reads the coverage data
(``COVERAGE_FILE``, else ``.coverage``) and prints

* one line per app ``src/kenes/<app>`` (migrations left out), the top-level modules and the total:
  statements, branches, their share executed;
* every ``raise`` statement of the rule modules (the actions, the access policy, the rules, the
  brackets parser and the meeting cadence) that no test executed: each is a refusal a user could
  meet and no test has seen.

With ``--strict`` it exits 1 when such a ``raise`` is left (a partial run, ``./dev test tests/x``,
naturally leaves many, so ``./dev test`` passes ``--strict`` only for the whole suite).
"""

from __future__ import annotations

import argparse
import ast
import os
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / "src" / "kenes"
RULE_MODULES = (
    "*/actions.py",
    "*/actions/*.py",  # an app whose actions are a package by resource
    "access/policy.py",
    "*/rules.py",
    "texts/brackets.py",
    "meetings/cadence.py",
)


def rule_modules() -> list[Path]:
    found = {path for pattern in RULE_MODULES for path in SRC.glob(pattern) if "migrations" not in path.parts}
    return sorted(found)


def raise_lines(path: Path) -> tuple[list[int], list[int]]:
    """The first line of every ``raise`` statement of a module: those to reach, and those marked
    ``# pragma: no cover`` (unreachable by construction, such as ``raise AssertionError``)."""
    source = path.read_text(encoding="utf-8")
    lines = source.splitlines()
    tree = ast.parse(source, filename=str(path))
    found = sorted({node.lineno for node in ast.walk(tree) if isinstance(node, ast.Raise)})
    excluded = [number for number in found if "pragma: no cover" in lines[number - 1]]
    return [number for number in found if number not in excluded], excluded


def _group(path: Path) -> str:
    relative = path.relative_to(SRC)
    return f"src/kenes/{relative.parts[0]}" if len(relative.parts) > 1 else "src/kenes/*.py"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0] if __doc__ else None)
    parser.add_argument("--data", default=os.environ.get("COVERAGE_FILE", ".coverage"), help="the coverage data file")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a refusal was not reached")
    args = parser.parse_args()

    import coverage
    from coverage.exceptions import NoSource, NotPython

    if not Path(args.data).is_file():
        print(f"coverage: no data at {args.data} (pytest ran without --cov?)", file=sys.stderr)
        return 1
    cov = coverage.Coverage(data_file=args.data, config_file=False)
    cov.load()
    data = cov.get_data()
    measured = {Path(name).resolve(): name for name in data.measured_files()}

    totals: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])  # statements, missed, branches, missed
    for path in sorted(SRC.rglob("*.py")):
        if "migrations" in path.relative_to(SRC).parts:
            continue
        try:
            numbers = cov._analyze(measured.get(path.resolve(), str(path))).numbers
        except (NoSource, NotPython):
            continue
        row = totals[_group(path)]
        row[0] += numbers.n_statements
        row[1] += numbers.n_missing
        row[2] += numbers.n_branches
        row[3] += numbers.n_missing_branches

    def line(name: str, row: list[int]) -> str:
        statements, missed, branches, missed_branches = row
        done = statements - missed + branches - missed_branches
        share = 100.0 * done / (statements + branches) if statements + branches else 100.0
        return (
            f"  {name:<24}{statements:>7}{missed:>7}{branches:>9}{missed_branches:>7}{share:>8.1f}%"
            f"   (lines {100.0 * (statements - missed) / max(statements, 1):.0f}%,"
            f" branches {100.0 * (branches - missed_branches) / max(branches, 1):.0f}%)"
        )

    print(f"  {'branch coverage':<24}{'stmts':>7}{'miss':>7}{'branches':>9}{'miss':>7}{'cover':>9}")
    for name in sorted(totals):
        print(line(name, totals[name]))
    print(line("total", [sum(row[i] for row in totals.values()) for i in range(4)]))

    unreached: list[str] = []
    count = left_out = 0
    modules = rule_modules()
    for path in modules:
        lines, excluded = raise_lines(path)
        count += len(lines)
        left_out += len(excluded)
        name = measured.get(path.resolve())
        executed = set(data.lines(name) or []) if name else set()
        source = path.read_text(encoding="utf-8").splitlines()
        for number in lines:
            if number not in executed:
                unreached.append(f"    {path.relative_to(ROOT)}:{number}  {source[number - 1].strip()[:100]}")
    summary = (
        f"refusals: {count - len(unreached)} of {count} `raise` statements of {len(modules)} rule modules "
        f"reached by a test; {len(unreached)} not reached"
    )
    if left_out:
        summary += f" ({left_out} marked `# pragma: no cover` left out)"
    print(summary + (":" if unreached else ""))
    for entry in unreached:
        print(entry)
    return 1 if unreached and args.strict else 0


if __name__ == "__main__":
    sys.exit(main())
