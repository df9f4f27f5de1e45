"""The mutation score of the last `mutmut run`, leaving out the equivalent mutants.

Reads mutmut's own record of each mutant (the `.meta` files beside the mutated copies
under `mutants/`) and `mutation/equivalent.txt` (one mutant a line, then `#` and why it
changes no behaviour). Prints the totals, the score and every survivor still to be killed.

    python mutation/score.py [--strict]   # --strict: exit 1 below the target score
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

from mutmut.stats import status_by_exit_code

ROOT = Path(__file__).resolve().parent.parent
MUTANTS = ROOT / "mutants"
EQUIVALENT = ROOT / "mutation" / "equivalent.txt"
TARGET = 90.0
# Killed: a test failed, or the mutant made the tests run past their time limit.
KILLED = {"killed", "timeout", "caught by type check"}


def equivalent_mutants(path: Path = EQUIVALENT) -> dict[str, str]:
    """{mutant name: reason} from the file; blank lines and lines starting with # are skipped."""
    found = {}
    for line in path.read_text("utf-8").splitlines() if path.exists() else []:
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        name, _, reason = line.partition("#")
        found[name.strip()] = reason.strip()
    return found


def mutant_statuses(mutants_dir: Path = MUTANTS) -> dict[str, str]:
    """{mutant name: mutmut's status} for every mutant mutmut generated."""
    statuses = {}
    for meta in sorted(mutants_dir.rglob("*.py.meta")):
        for name, exit_code in json.loads(meta.read_text("utf-8"))["exit_code_by_key"].items():
            statuses[name] = status_by_exit_code[exit_code]
    return statuses


def score(statuses: dict[str, str], equivalent: dict[str, str]) -> dict:
    counted = {name: status for name, status in statuses.items() if name not in equivalent}
    by_status = Counter(counted.values())
    killed = sum(by_status[status] for status in KILLED)
    checked = len(counted) - by_status["not checked"]
    return {
        "total": len(statuses),
        "equivalent": len(statuses) - len(counted),
        "killed": killed,
        "survived": checked - killed,
        "not_checked": by_status["not checked"],
        "score": 100.0 * killed / checked if checked else 0.0,
        "survivors": sorted(n for n, s in counted.items() if s not in KILLED and s != "not checked"),
        "by_status": dict(by_status),
        # An entry for a mutant that was killed, or that no longer exists, is out of date.
        "stale": sorted(n for n in equivalent if statuses.get(n) in KILLED or n not in statuses),
    }


def main(argv: list[str]) -> int:
    if not MUTANTS.is_dir():
        print("No mutants/ directory: run `make mutate` (or `mutmut run`) first.")
        return 1
    result = score(mutant_statuses(), equivalent_mutants())
    print(f"mutants:     {result['total']}")
    print(f"equivalent:  {result['equivalent']} (mutation/equivalent.txt)")
    print(f"killed:      {result['killed']}")
    print(f"survived:    {result['survived']}  (statuses: {result['by_status']})")
    if result["not_checked"]:
        print(f"not checked: {result['not_checked']} (the run did not reach them; left out of the score)")
    print(f"score:       {result['score']:.1f} % of the non-equivalent mutants checked (target {TARGET:.0f} %)")
    if result["survivors"]:
        print("\nSurvivors (`mutmut show <name>` for the change):")
        for name in result["survivors"]:
            print(f"  {name}")
    if result["stale"]:
        print("\nOut of date in mutation/equivalent.txt (killed, or no such mutant):")
        for name in result["stale"]:
            print(f"  {name}")
    return 1 if "--strict" in argv and result["score"] < TARGET else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
