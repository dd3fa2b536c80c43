#!/usr/bin/env python3
"""Self-check of check_include_rules.py: it must reject includes that break the rules and
rules that contradict the forbidden dependencies. Each fixture under fixtures/ breaks them
on purpose; this test fails if the checker accepts any of them, or reports a violation
other than the expected ones (a checker that rejects everything is as useless as one that
accepts everything - the real tree, which must pass, is structure:include-rules)."""
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
CHECKER = os.path.join(HERE, "check_include_rules.py")

# fixtures/violations: each deliberately forbidden include, by file:line and the rule named.
EXPECTED_VIOLATIONS = {
    "lower/src/lower.cc:9": "lower may not depend on upper (allow = []; forbidden: lower is below upper)",
    "lower/src/lower.cc:10": "lower may not include lmdb headers",
    "upper/src/upper.cc:8": "is a private header of lower",
    "upper/src/upper.cc:9": "unknown header",
}


def run(fixture):
    return subprocess.run([sys.executable, CHECKER, "--root", os.path.join(HERE, "fixtures", fixture)],
                          capture_output=True, text=True)


def main():
    failures = []
    result = run("violations")
    if result.returncode != 1:
        failures.append(f"violations: exit {result.returncode}, expected 1 (the checker accepted "
                        f"forbidden includes)\n{result.stdout}{result.stderr}")
    reported = {}
    for line in result.stdout.splitlines():
        where, _, rest = line.partition(": ")
        reported[where] = rest
    for where, words in EXPECTED_VIOLATIONS.items():
        if where not in reported:
            failures.append(f"violations: {where} not reported (expected: {words})")
        elif words not in reported[where]:
            failures.append(f"violations: {where} reported as '{reported[where]}', expected '{words}'")
    for where in sorted(set(reported) - set(EXPECTED_VIOLATIONS)):
        failures.append(f"violations: unexpected report {where}: {reported[where]}")

    result = run("forbidden_allow")
    expected = "lower may not depend on upper (lower is below upper), but its allow list reaches it: lower -> middle -> upper"
    if result.returncode != 2 or expected not in result.stderr:
        failures.append(f"forbidden_allow: exit {result.returncode}, expected 2 naming the path "
                        f"'{expected}'\n{result.stdout}{result.stderr}")

    for f in failures:
        print("FAIL", f)
    if failures:
        return 1
    print(f"the checker rejects all {len(EXPECTED_VIOLATIONS)} forbidden includes and the forbidden allow path")
    return 0


if __name__ == "__main__":
    sys.exit(main())
