#!/usr/bin/env python3
"""Every text srs/http/ui/records.js shows through t('...') is a msgid of the C++ table the
catalogue route translates (srs/http/src/records_ui_strings.cc), so xgettext and the
catalogue checks (i18n:catalogue-complete) cover the script's text too; and the script holds
no requirement ID in any text. Fails naming each text that is missing."""
import os
import re
import sys

SOURCE = os.environ.get("KRONIKA_SOURCE", os.path.join(os.path.dirname(__file__), "..", "..", ".."))


def main():
    with open(os.path.join(SOURCE, "srs/http/ui/records.js"), encoding="utf-8") as f:
        js = f.read()
    with open(os.path.join(SOURCE, "srs/http/src/records_ui_strings.cc"), encoding="utf-8") as f:
        cc = f.read()
    used = {m.group(1).replace("\\'", "'") for m in re.finditer(r"\bt\('((?:[^'\\]|\\.)*)'\)", js)}
    # Status names and error texts are looked up through tables (kStatus, kErrors): their
    # values are texts too.
    for name in ("kStatus", "kErrors"):
        table = re.search(r"const " + name + r" = \{([^}]*)\}", js)
        used |= set(re.findall(r"'([^']*)'", table.group(1))) if table else set()
    known = {m.group(1).replace('\\"', '"') for m in re.finditer(r'N_\("((?:[^"\\]|\\.)*)"\)', cc)}
    missing = sorted(used - known)
    unused = sorted(known - used)
    ids = sorted(t for t in used if re.search(r"\b[A-Z]{2,8}-\d+\b", t))
    for t in missing:
        print(f"FAIL records.js shows a text missing from records_ui_strings.cc: {t!r}")
    for t in unused:
        print(f"FAIL records_ui_strings.cc lists a text records.js does not use: {t!r}")
    for t in ids:
        print(f"FAIL a text holds a requirement ID: {t!r}")
    if len(used) < 50:
        print(f"FAIL only {len(used)} texts found in records.js: the pattern no longer matches the script")
        return 1
    if missing or unused or ids:
        return 1
    print(f"{len(used)} texts of records.js, all in the catalogue table")
    return 0


if __name__ == "__main__":
    sys.exit(main())
