#!/usr/bin/env python3
"""Self-check of the thread-safety annotations (issue 13 item 4): clang's -Wthread-safety
must reject a GUARDED_BY member read without its lock and a REQUIRES function called without
it, and must accept the same code with the lock held. Either way round a failure means the
check that guards the real tree (the clang builds of ./dev test compile with
-Wthread-safety -Werror=thread-safety) is not working: macros that expand to nothing under
clang, a Mutex without its capability attributes, or a flag that went missing.

Usage: thread_safety_selfcheck.py CLANGXX COMMON_INCLUDE_DIR"""
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURE = os.path.join(HERE, "fixtures", "thread_safety", "guarded_counter.cc")

# variant -> (must compile, words the diagnostic must contain when it must not)
VARIANTS = {
    "VARIANT_LOCKED": (True, None),
    "VARIANT_UNLOCKED_READ": (False, "reading variable 'count_' requires holding mutex 'mu_'"),
    "VARIANT_MISSING_REQ": (False, "calling function 'ResetLocked' requires holding mutex 'mu_'"),
}


def main():
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    clangxx, include_dir = sys.argv[1], sys.argv[2]
    failures = []
    for variant, (must_compile, words) in VARIANTS.items():
        cmd = [clangxx, "-std=c++20", "-fsyntax-only", "-Wthread-safety", "-Werror", "-I", include_dir,
               f"-D{variant}", FIXTURE]
        try:
            result = subprocess.run(cmd, capture_output=True, text=True)
        except OSError as e:
            failures.append(f"{variant}: cannot run {clangxx}: {e}")
            continue
        if must_compile and result.returncode != 0:
            failures.append(f"{variant}: rejected, expected to compile\n{result.stderr}")
        if not must_compile:
            if result.returncode == 0:
                failures.append(f"{variant}: compiled, expected -Wthread-safety to reject it")
            elif words not in result.stderr:
                failures.append(f"{variant}: rejected, but not with \"{words}\"\n{result.stderr}")
    for f in failures:
        print("FAIL", f)
    if failures:
        return 1
    print(f"thread-safety self-check: {len(VARIANTS)} variants as expected")
    return 0


if __name__ == "__main__":
    sys.exit(main())
