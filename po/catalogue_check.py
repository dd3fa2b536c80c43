#!/usr/bin/env python3
"""The translation catalogues against the sources (issue 16 item 1; po/README.md).

Extracts every people-facing msgid from the sources with xgettext (keywords N_, Tr:2,
TrN:2,3) and checks, with the gettext tools themselves:
  - complete: every msgid has a (non-fuzzy) translation in each language (msgcmp against
    the language's merged po/<language>/*.po);
  - no requirement IDs: no msgid and no translation holds one (msggrep); people read these
    texts, the IDs (ACCESS-3, REG-2...) are for logs, docs and tests;
  - no stale entries is NOT checked: an entry no source uses any more is harmless, and
    `ninja pot` lists them.

  catalogue_check.py --source DIR [--check complete|ids|all] [--pot FILE --write-pot]
Exit 0 when every check passes, 1 with the problems listed otherwise.
"""
import argparse
import glob
import os
import re
import subprocess
import sys
import tempfile

# The requirement families of ../shared/regulations/REQUIREMENTS.md; read from it when it is
# beside the checkout, so a family added there is checked without editing this list.
KNOWN_FAMILIES = ["ACCESS", "CONSENT", "DISC", "REG", "RET", "RIGHTS", "SCOPE", "SEC"]
SOURCE_DIRS = ["srs", "sdp", "media", "policy", "common"]
KEYWORDS = ["--keyword=N_", "--keyword=Tr:2", "--keyword=TrN:2,3"]


def requirement_families(source):
    path = os.path.join(source, "..", "shared", "regulations", "REQUIREMENTS.md")
    try:
        with open(path, encoding="utf-8") as f:
            found = sorted(set(re.findall(r"\b([A-Z]{2,})-\d+\b", f.read())))
        return sorted(set(found) | set(KNOWN_FAMILIES)), path
    except OSError:
        return KNOWN_FAMILIES, "the built-in list"


def sources(source):
    files = []
    for d in SOURCE_DIRS:
        for ext in ("cc", "h"):
            files += glob.glob(os.path.join(source, d, "**", f"*.{ext}"), recursive=True)
    return sorted(os.path.relpath(f, source) for f in files)


def run(cmd, **kw):
    return subprocess.run(cmd, capture_output=True, text=True, **kw)


def extract_pot(source, pot):
    files = sources(source)
    r = run(["xgettext", "--from-code=UTF-8", "--language=C++", *KEYWORDS, "--add-comments=TRANSLATORS:",
             "--sort-by-file", "--package-name=kronika", "--force-po", "-o", pot, "-f", "-"],
            input="\n".join(files) + "\n", cwd=source)
    if r.returncode != 0:
        sys.exit(f"xgettext failed: {r.stderr}")
    # xgettext leaves the template's charset as the placeholder "CHARSET", which msggrep
    # refuses; the sources are UTF-8 (--from-code).
    with open(pot, encoding="utf-8") as f:
        text = f.read()
    with open(pot, "w", encoding="utf-8") as f:
        f.write(text.replace("charset=CHARSET", "charset=UTF-8", 1))


def merged_catalogue(source, language, out):
    po_files = sorted(glob.glob(os.path.join(source, "po", language, "*.po")))
    if not po_files:
        return None
    r = run(["msgcat", "--use-first", "-o", out, *po_files])
    if r.returncode != 0:
        sys.exit(f"msgcat {language}: {r.stderr}")
    return po_files


def check_complete(source, pot, languages, tmp):
    problems = []
    for language in languages:
        merged = os.path.join(tmp, f"{language}.po")
        if merged_catalogue(source, language, merged) is None:
            problems.append(f"po/{language}/ has no .po file")
            continue
        r = run(["msgcmp", merged, pot])
        if r.returncode != 0:
            # msgcmp names each msgid it lacks ("this message is used but not defined in ...")
            problems.append(f"po/{language}/*.po lacks translations:\n{r.stderr.strip()}")
    return problems


def check_ids(source, pot, languages, families, tmp):
    problems = []
    pattern = r"\b(" + "|".join(families) + r")-[0-9]"
    catalogues = [("the sources' msgids (po/kronika.pot)", pot, ["-K"])]
    for language in languages:
        merged = os.path.join(tmp, f"{language}.po")
        if merged_catalogue(source, language, merged) is not None:
            catalogues.append((f"po/{language}/*.po", merged, ["-K", "-T"]))
    for name, path, fields in catalogues:
        found = []
        for field in fields:  # msggrep ORs only within one field selection: one run each
            r = run(["msggrep", field, "-E", "-e", pattern, path])
            if r.returncode != 0:
                sys.exit(f"msggrep: {r.stderr}")
            found += re.findall(r'^msgid "(.+)"$', r.stdout, flags=re.M)
        found = [m for m in found if m]  # the header entry has an empty msgid
        if found:
            problems.append(f"{name}: requirement IDs in people-facing text:\n  " + "\n  ".join(sorted(set(found))))
    return problems


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--source", required=True)
    parser.add_argument("--check", choices=["complete", "ids", "all"], default="all")
    parser.add_argument("--pot", help="where to write the extracted template (default: a temporary file)")
    parser.add_argument("--write-pot", action="store_true", help="only write --pot and list what each language lacks")
    args = parser.parse_args()
    source = os.path.abspath(args.source)
    languages = sorted(d for d in os.listdir(os.path.join(source, "po"))
                       if os.path.isdir(os.path.join(source, "po", d)))
    with tempfile.TemporaryDirectory() as tmp:
        pot = args.pot or os.path.join(tmp, "kronika.pot")
        extract_pot(source, pot)
        if args.write_pot:
            print(f"wrote {pot}")
            for p in check_complete(source, pot, languages, tmp):
                print(p)
            return 0
        problems = []
        if args.check in ("complete", "all"):
            problems += check_complete(source, pot, languages, tmp)
        if args.check in ("ids", "all"):
            families, where = requirement_families(source)
            print(f"requirement families from {where}: {', '.join(families)}")
            problems += check_ids(source, pot, languages, families, tmp)
    for p in problems:
        print("FAIL " + p)
    if not problems:
        print(f"ok   catalogues of {', '.join(languages)} complete and free of requirement IDs")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
