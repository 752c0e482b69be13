"""The mutation score of the last `mutmut run` (make mutants), per file and in total.

Killed: a test failed (or timed out) on the mutant. Everything else that was checked counts against
the score, "no tests" included: a mutant no test reaches is a mutant no test would catch.
The files the project holds to >= 90% are marked; exit status 1 if one of them is below. A goal file whose
mutants were not run yet (a run narrowed to other files: `mutmut run "keys.forensics.*"`) is listed with its
count of mutants still to check.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

from mutmut.stats import status_by_exit_code

ROOT = Path(__file__).resolve().parents[2]
GOAL = 0.90
GOAL_FILES = ("keys/signing.py", "keys/vault.py", "tui/diagnosis/diagnose.py", "keys/forensics.py", "keys/variants.py",
              "keys/rest_variants.py", "keys/keyschedule.py", "keys/hosts.py", "keys/credential_check.py",
              "tui/emulator/handler.py")
GOAL_FOLDERS = ("tui/inspect/", "tui/proxy/")  # every file in them
KILLED = {"killed", "timeout", "caught by type check"}


def is_goal(source: str) -> bool:
    return source in GOAL_FILES or source.startswith(GOAL_FOLDERS)


def main() -> int:
    metas = sorted((ROOT / "mutants").glob("**/*.py.meta"))
    if not metas:
        print("no mutmut results under mutants/: run `make mutants` first")
        return 2
    rows, total, not_run = [], Counter(), []
    for meta in metas:
        source = str(meta.relative_to(ROOT / "mutants"))[: -len(".meta")]
        statuses = Counter(status_by_exit_code[code] for code in json.loads(meta.read_text())["exit_code_by_key"].values())
        unchecked = statuses.pop("not checked", 0)
        checked = sum(statuses.values())
        if checked:
            rows.append((source, statuses, checked))
            total.update(statuses)
        elif unchecked and is_goal(source):
            not_run.append((source, unchecked))
    below = []
    print(f"{'file':28} {'killed':>7} {'survived':>9} {'no tests':>9} {'checked':>8} {'score':>7}")
    for source, s, checked in rows:
        score = sum(s[k] for k in KILLED) / checked
        mark = ""
        if is_goal(source):
            mark = "  goal >= 90%: " + ("met" if score >= GOAL else "NOT met")
            below += [source] if score < GOAL else []
        print(f"{source:28} {sum(s[k] for k in KILLED):7} {s['survived']:9} {s['no tests']:9} {checked:8} {score:7.1%}{mark}")
    for source, unchecked in not_run:
        print(f"{source:28} not run: {unchecked} mutants to check  goal >= 90%: not measured")
    checked = sum(total.values())
    if not checked:
        return 2
    print(f"{'total':28} {sum(total[k] for k in KILLED):7} {total['survived']:9} {total['no tests']:9} {checked:8} "
          f"{sum(total[k] for k in KILLED) / checked:7.1%}")
    return 1 if below else 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BrokenPipeError:  # `| head` closed the pipe: the table was read as far as wanted
        sys.stderr.close()
        sys.exit(0)
