"""Mutation testing of the modules that hold the rules: ``./dev mutate [--budget 20m] [MODULE ...]``.

mutmut (pinned in requirements-dev.lock) changes the code of the modules in ``[tool.mutmut]
only_mutate`` one small change ("mutant") at a time, and for each runs the tests that reach the
changed function: a mutant the tests do not notice "survives". Modules under ``[tool.kenes.mutation]
functions`` are mutated only in the functions named there. Every verdict is kept in ``mutants/``,
so a later run tests only the mutants that are new, of a changed function, or survived before
(they are what a new test may kill); ``--again`` tests all of them again.

The run stops at the time budget (``--budget``, 30 minutes by default; the modules are tested in
the order of ``only_mutate``, so a short budget finishes the first ones) and prints the share of
mutants killed per module and every surviving mutant as a diff. Equivalent mutants (no test can
tell them from the original) are listed in ``[[tool.kenes.mutation.equivalent]]`` with the reason,
not counted in the score and not tested again. See docs/mutation.md.

This drives mutmut 3.8's ``run`` in this process (the version is pinned: these are its internals),
replacing three of its functions: the one that lists the mutants to test (to select and re-queue
them, and to narrow each function's tests to those of its module, ``[tool.kenes.mutation] tests``),
the time estimate it orders them by (to order them by module first) and the tests of its clean run
(only those of the mutants to test).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import sys
import time
import tomllib
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
MUTANTS = ROOT / "mutants"
SNAPSHOT = MUTANTS / "test-db.sqlite3"
DEFAULT_BUDGET = "30m"

# mutmut's verdicts (mutmut.stats.status_by_exit_code) as counted here.
DETECTED = {"killed", "timeout", "segfault", "caught by type check"}
UNDETECTED = {"survived", "no tests"}
RETESTED = {"survived", "no tests", "suspicious", "check was interrupted by user"}


@dataclass(frozen=True)
class Equivalent:
    mutant: str
    change: str  # a line the mutant adds, as its diff shows it: the entry lapses when the code moves
    why: str


@dataclass
class Plan:
    paths: list[str]
    modules: list[str]
    functions: dict[str, set[str]]
    tests: dict[str, tuple[str, ...]]
    equivalents: dict[str, Equivalent]
    min_score: float
    chosen: list[str] = field(default_factory=list)

    def in_scope(self, key: str) -> bool:
        module, function = split_key(key)
        if module not in self.chosen:
            return False
        return module not in self.functions or function in self.functions[module]


def module_of(path: str) -> str:
    parts = Path(path).with_suffix("").parts
    return ".".join(parts[1:] if parts[0] == "src" else parts)


def split_key(key: str) -> tuple[str, str]:
    """``kenes.texts.actions.x__require_chair__mutmut_3`` → (``kenes.texts.actions``, ``_require_chair``);
    a method ``…xǁ_AudienceǁRole_q__mutmut_1`` → (…, ``_Audience.role_q``)."""
    module, _, mangled = key.partition("__mutmut_")[0].rpartition(".")
    if mangled.startswith("x_"):
        return module, mangled[2:]
    _x, cls, method = mangled.split("ǁ")
    return module, f"{cls}.{method}"


def load_plan() -> Plan:
    data = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    paths = list(data["tool"]["mutmut"]["only_mutate"])
    ours = data["tool"].get("kenes", {}).get("mutation", {})
    equivalents = [Equivalent(e["mutant"], e["change"], e["why"]) for e in ours.get("equivalent", [])]
    return Plan(
        paths=paths,
        modules=[module_of(p) for p in paths],
        functions={module: set(names) for module, names in ours.get("functions", {}).items()},
        tests={module: tuple(paths) for module, paths in ours.get("tests", {}).items()},
        equivalents={e.mutant: e for e in equivalents},
        min_score=float(ours.get("min_score", 90)),
    )


def parse_budget(text: str) -> int:
    """``90s``, ``20m``, ``1h``, ``1h30m``; a bare number is minutes."""
    if re.fullmatch(r"\d+", text):
        return int(text) * 60
    parts = re.fullmatch(r"(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?", text)
    if not parts or not any(parts.groups()):
        raise argparse.ArgumentTypeError(f"a time such as 20m, 1h or 90s, not {text!r}")
    hours, minutes, seconds = (int(g or 0) for g in parts.groups())
    return hours * 3600 + minutes * 60 + seconds


def _sync(source: Path, copy: Path) -> None:
    """mutmut copies a file that is not Python once and never deletes one: bring templates, static
    files and catalogues up to date and drop what is gone from the source, so that the copy runs
    today's code. (Python files are copied, or mutated, by mutmut on every run.)"""
    if not copy.exists():
        return
    for path in source.rglob("*"):
        if path.is_dir() or "__pycache__" in path.parts or path.suffix == ".py":
            continue
        target = copy / path.relative_to(source)
        stat = path.stat()
        if not target.exists() or (target.stat().st_mtime, target.stat().st_size) != (stat.st_mtime, stat.st_size):
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, target)
    for path in sorted(copy.rglob("*"), reverse=True):
        if "__pycache__" in path.parts or path.suffix in (".meta", ".spans"):
            continue
        original = source / path.relative_to(copy)
        if path.is_dir():
            if not original.exists() and not any(path.iterdir()):
                path.rmdir()
        elif not original.exists():
            path.unlink()


def prepare_environment(*, for_a_run: bool) -> None:
    """The tests run inside ``mutants/`` (mutmut's copy): point the settings at the real data and a
    scratch var/ there, on the embedded SQLite, with the database snapshot of tests/conftest.py.
    Only reading the results (``--report``) changes nothing in ``mutants/``."""
    os.chdir(ROOT)
    # Only mutmut's copy may be importable: not the checkout's src/, tests/ or root.
    unwanted = {ROOT, ROOT / "src", ROOT / "tests"}
    sys.path[:] = [p for p in sys.path if p and Path(p).resolve() not in unwanted]
    if not for_a_run:
        return
    env = os.environ
    env["DJANGO_SETTINGS_MODULE"] = "kenes.settings"
    env["KENES_DATA_DIR"] = str(Path(env.get("KENES_DATA_DIR") or ROOT.parent / "shared" / "data").resolve())
    env["KENES_VAR_DIR"] = str(MUTANTS / "var")
    env["KENES_TEST_DB_SNAPSHOT"] = str(SNAPSHOT)
    for name in ("KENES_DATABASE_URL", "KENES_REDIS_URL", "KENES_CLOCK_OFFSET_DAYS", "MUTANT_UNDER_TEST"):
        env.pop(name, None)
    (MUTANTS / "var").mkdir(parents=True, exist_ok=True)
    SNAPSHOT.unlink(missing_ok=True)  # built afresh by the first session of this run
    _sync(ROOT / "src", MUTANTS / "src")
    _sync(ROOT / "tests", MUTANTS / "tests")


class NothingToTest(Exception):
    pass


def run(plan: Plan, *, again: bool, jobs: int, budget: int) -> str:
    """Run mutmut over the chosen modules; how it ended."""
    from importlib.metadata import version

    if not version("mutmut").startswith("3.8."):
        print(f"warning: written for mutmut 3.8 (requirements-dev.lock), this is {version('mutmut')}")
    import mutmut.__main__ as mutmut_main
    from mutmut.state import state
    from mutmut.stats import status_by_exit_code
    from mutmut.utils.format_utils import mangled_name_from_mutant_name

    original_collect = mutmut_main.collect_source_file_mutation_data
    original_estimate = mutmut_main.estimated_worst_case_time
    rank = {module: index for index, module in enumerate(plan.modules)}
    to_test: set[str] = set()

    def collect(*, mutant_names: Any) -> Any:
        """Called right after the stats: narrow each function's tests to its module's own (in
        memory only, the stats file keeps them all), then list the mutants of the plan."""
        tests_by_function = state().tests_by_mangled_function_name
        for function, tests in tests_by_function.items():
            own = plan.tests.get(split_key(function + "__mutmut_0")[0])
            if own:
                tests_by_function[function] = {t for t in tests if t.startswith(own)}
        mutants, by_path = original_collect(mutant_names=mutant_names)
        chosen = []
        for data, key, result in mutants:
            if not plan.in_scope(key):
                continue
            retest = status_by_exit_code[result] in RETESTED and key not in plan.equivalents
            if result is not None and (again or retest):
                result = None  # test it (again)
            chosen.append((data, key, result))
            if result is None:
                to_test.update(tests_by_function.get(mangled_name_from_mutant_name(key), ()))
        if all(result is not None for _data, _key, result in chosen):
            raise NothingToTest()
        return chosen, by_path

    def clean_tests(mutant_names: Any) -> set[str]:
        """The clean run (the tests pass unmutated) runs the tests of the mutants to test only."""
        return set(to_test)

    def estimate(key: str) -> Any:
        return (rank.get(split_key(key)[0], len(rank)), original_estimate(key))

    stopped_by = ""

    def stop(signum: int, frame: Any) -> None:
        nonlocal stopped_by
        causes: dict[int, str] = {signal.SIGALRM: "budget", signal.SIGTERM: "terminated"}
        stopped_by = stopped_by or causes.get(signum, "user")
        raise KeyboardInterrupt()

    mutmut_main.collect_source_file_mutation_data = collect
    mutmut_main.estimated_worst_case_time = estimate  # type: ignore[assignment]
    mutmut_main.tests_for_mutant_names = clean_tests
    signal.signal(signal.SIGALRM, stop)
    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    signal.alarm(budget)
    try:
        mutmut_main._run((), jobs)
    except NothingToTest:
        return "nothing left to test: every mutant has its verdict (--again tests them all again)"
    except (KeyboardInterrupt, SystemExit) as exc:
        if not stopped_by and isinstance(exc, SystemExit):
            return f"mutmut stopped (exit {exc.code})"
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        sys.stdout, sys.stderr = sys.__stdout__, sys.__stderr__
    endings = {"budget": "stopped: the time budget ran out", "user": "interrupted", "terminated": "terminated"}
    return endings.get(stopped_by, "done")


def report(plan: Plan) -> bool:
    """Print the score per module and every surviving mutant; True when every module that was
    tested through reaches the least score."""
    from mutmut.mutation.data import SourceFileMutationData
    from mutmut.mutation.diff_apply import get_diff_for_mutant
    from mutmut.stats import status_by_exit_code

    ok = True
    survivors: list[tuple[str, str, str]] = []
    stale: list[Equivalent] = []
    print()
    print(f"{'module':<26} {'mutants':>7} {'killed':>6} {'survived':>8} {'no tests':>8} {'equiv.':>6}"
          f" {'unchecked':>9} {'score':>7}")  # fmt: skip
    for path, module in zip(plan.paths, plan.modules, strict=True):
        if module not in plan.chosen:
            continue
        data = SourceFileMutationData(path=Path(path))
        data.load()
        counts: Counter[str] = Counter()
        for key, code in data.exit_code_by_key.items():
            if not plan.in_scope(key):
                continue
            status = status_by_exit_code[code]
            counts["mutants"] += 1
            if status in DETECTED:
                counts["killed"] += 1
            elif status in UNDETECTED:
                equivalent = plan.equivalents.get(key)
                diff = get_diff_for_mutant(key, path=path)
                added = {line[1:].strip() for line in diff.splitlines() if line.startswith("+") and line[:3] != "+++"}
                if equivalent and equivalent.change.strip() in added:
                    counts["equivalent"] += 1
                    continue
                if equivalent:
                    stale.append(equivalent)
                counts[status] += 1
                survivors.append((key, status, diff))
            else:
                counts["unchecked"] += 1
        tested = counts["killed"] + counts["survived"] + counts["no tests"]
        score = 100.0 * counts["killed"] / tested if tested else 0.0
        if tested and not counts["unchecked"] and score < plan.min_score:
            ok = False
        shown = f"{score:6.1f}%" if tested else "     —"
        print(f"{module:<26} {counts['mutants']:>7} {counts['killed']:>6} {counts['survived']:>8} "
              f"{counts['no tests']:>8} {counts['equivalent']:>6} {counts['unchecked']:>9} {shown:>7}")  # fmt: skip
    print(f"(score: killed / (killed + survived + no tests); the least accepted is {plan.min_score:g}%)")
    if survivors:
        print(f"\n{len(survivors)} surviving mutants (no test failed with the change):")
        for key, status, diff in survivors:
            print(f"\n# {key}: {status}")
            print(diff)
    for equivalent in stale:
        print(f"\nThe equivalent mutant {equivalent.mutant} no longer makes the change {equivalent.change!r}:")
        print("the code moved; check it again and update [[tool.kenes.mutation.equivalent]] in pyproject.toml.")
    return ok


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="./dev mutate", description=__doc__.split("\n")[0] if __doc__ else None)
    parser.add_argument("modules", nargs="*", help="only these modules (any part of the name: policy, texts.rules)")
    parser.add_argument("--budget", type=parse_budget, default=parse_budget(DEFAULT_BUDGET),
                        help=f"stop testing after this long (e.g. 20m, 1h; default {DEFAULT_BUDGET})")  # fmt: skip
    parser.add_argument("--again", action="store_true", help="test every mutant again, not only the undecided")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 2, help="mutants tested at once (CPUs)")
    parser.add_argument("--report", action="store_true", help="only print the scores and survivors of earlier runs")
    args = parser.parse_args(argv)

    plan = load_plan()
    plan.chosen = [m for m in plan.modules if not args.modules or any(a in m for a in args.modules)]
    if not plan.chosen:
        parser.error(f"no such module; the modules are: {', '.join(plan.modules)}")

    started = time.monotonic()
    prepare_environment(for_a_run=not args.report)
    if not args.report:
        print(f"mutation testing {', '.join(plan.chosen)} (budget {args.budget // 60} min, {args.jobs} at once)")
        ended = run(plan, again=args.again, jobs=args.jobs, budget=args.budget)
        minutes, seconds = divmod(int(time.monotonic() - started), 60)
        print(f"\n{ended} after {minutes} min {seconds:02d} s")
    ok = report(plan)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
