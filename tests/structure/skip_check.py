#!/usr/bin/env python3
"""A unit test that cannot run is reported as skipped, never as passed (issue 13 item 8;
tests/unit/catch_main.cc). Runs a real unit-test binary with KRONIKA_TEST_HIDE so that a
resource counts as missing, and checks what ctest and a person would see:
  1. the one test case that needs it, run alone (as ctest runs it): exit 77 = skipped, and
     the reason on stderr;
  2. the whole binary: every other case runs and passes (exit 0), the needy one is named as
     skipped and does not run.
Usage: skip_check.py <kronika_policy_tests binary>"""
import os
import subprocess
import sys

NEEDY = "SCOPE-2 IANA zones and the default Warsaw rule agree with glibc's tzdata 2000..2037"  # [needs-tzdata]


def run(binary, *args):
    env = dict(os.environ, KRONIKA_TEST_HIDE="tzdata")
    return subprocess.run([binary, *args], capture_output=True, text=True, env=env, timeout=600)


def main():
    binary = sys.argv[1]
    failures = []
    alone = run(binary, NEEDY)
    if alone.returncode != 77:
        failures.append(f"alone: exit {alone.returncode}, expected 77 (skipped)\n{alone.stdout}{alone.stderr}")
    if f'SKIPPED: "{NEEDY}" needs tzdata' not in alone.stderr:
        failures.append(f"alone: no SKIPPED line naming the test and tzdata on stderr:\n{alone.stderr}")
    if "All tests passed" in alone.stdout or "assertions" in alone.stdout:
        failures.append(f"alone: the test ran although tzdata counts as missing:\n{alone.stdout}")

    everything = run(binary)
    if everything.returncode != 0:
        failures.append(f"whole binary: exit {everything.returncode}, expected 0\n{everything.stdout[-2000:]}{everything.stderr[-2000:]}")
    if "1 test case(s) skipped" not in everything.stderr:
        failures.append(f"whole binary: the skipped case is not reported:\n{everything.stderr[-2000:]}")
    listed = subprocess.run([binary, "--list-test-names-only"], capture_output=True, text=True).stdout
    total = len([n for n in listed.splitlines() if n.strip()])
    if f"in {total - 1} test cases" not in everything.stdout:
        failures.append(f"whole binary: expected {total - 1} of {total} test cases to run:\n{everything.stdout[-500:]}")

    for f in failures:
        print("FAIL", f)
    if failures:
        return 1
    print(f"a missing resource skips its test (exit 77) and leaves the other {total - 1} to run")
    return 0


if __name__ == "__main__":
    sys.exit(main())
