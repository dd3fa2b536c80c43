#!/usr/bin/env python3
"""Include rules as data (docs/architecture.md, "Layers"): every #include of the product
code must be allowed by the rules file of the folder it is in.

A module is a folder with an `include_rules.toml` (srs/core, srs/store, ..., sdp, media,
policy, common). Its file lists the modules it may include (`allow`), the third-party
libraries whose headers it may include (`third_party`), and where its public headers live
(`include_dirs`, default ["include"]). The project's `include_rules.toml` at the root names
the folders that hold product code, the header patterns of each third-party library, the
system headers, and the forbidden dependencies: no module's `allow` may reach one of those,
directly or through the modules it allows.

Each `#include` is resolved to its owner:
  - a quoted include found beside the including file is that folder's own (private)
    header; including another module's private header is an error;
  - a path under some module's include dirs ("kronika/srs/store/store.h") is that module's
    public header;
  - otherwise the header must match a third-party library of the root file, or be a system
    header (the C++ standard library, or a C/POSIX header the root file lists).
Anything else is an error too: a rule that cannot be applied must not pass silently.

Usage: check_include_rules.py [--root DIR]   (exit 0 clean, 1 violations, 2 bad rules)
Each violation is one line: "<file>:<line>: <include>: <why> (<rules file>)".
"""
import argparse
import fnmatch
import os
import re
import sys
import tomllib

RULES_FILE = "include_rules.toml"
SOURCE_SUFFIXES = (".cc", ".h", ".c", ".hpp", ".cpp")
INCLUDE_RE = re.compile(r'^\s*#\s*include\s*([<"])([^>"]+)[>"]')


class RulesError(Exception):
    """The rules themselves are wrong (exit 2)."""


def load_toml(path):
    try:
        with open(path, "rb") as f:
            return tomllib.load(f)
    except (OSError, tomllib.TOMLDecodeError) as e:
        raise RulesError(f"{path}: {e}") from e


class Module:
    def __init__(self, name, path, rules, rules_path):
        self.name = name            # "srs/store"
        self.path = path            # absolute folder
        self.rules_path = rules_path
        unknown = set(rules) - {"description", "allow", "third_party", "include_dirs"}
        if unknown:
            raise RulesError(f"{rules_path}: unknown keys {sorted(unknown)}")
        self.allow = list(rules.get("allow", []))
        self.third_party = list(rules.get("third_party", []))
        self.include_dirs = [os.path.normpath(os.path.join(path, d))
                             for d in rules.get("include_dirs", ["include"])]


class Project:
    def __init__(self, root):
        self.root = os.path.abspath(root)
        self.rules_path = os.path.join(self.root, RULES_FILE)
        rules = load_toml(self.rules_path)
        self.product_roots = rules.get("product_roots", [])
        self.third_party = rules.get("third_party", {})
        system = rules.get("system", {})
        self.system_headers = set(system.get("headers", []))
        self.system_prefixes = tuple(system.get("prefixes", []))
        self.forbidden = rules.get("forbidden", [])
        self.modules = self._find_modules()
        self._check_rules()
        self.public = self._index_public_headers()

    # --- rules -------------------------------------------------------------------------
    def _find_modules(self):
        modules = {}
        for top in self.product_roots:
            top_dir = os.path.join(self.root, top)
            if not os.path.isdir(top_dir):
                raise RulesError(f"{self.rules_path}: product root {top} does not exist")
            for dirpath, dirnames, filenames in os.walk(top_dir):
                dirnames.sort()
                if RULES_FILE in filenames:
                    name = os.path.relpath(dirpath, self.root)
                    rules_path = os.path.join(dirpath, RULES_FILE)
                    modules[name] = Module(name, dirpath, load_toml(rules_path), rules_path)
        return modules

    def _matches(self, pattern, name):
        return fnmatch.fnmatchcase(name, pattern)

    def _forbidden_edges(self):
        """(from, to, why) for every pair of modules a [[forbidden]] entry covers."""
        for entry in self.forbidden:
            sources = entry["from"] if isinstance(entry["from"], list) else [entry["from"]]
            targets = entry["to"] if isinstance(entry["to"], list) else [entry["to"]]
            except_from = entry.get("except_from", [])
            for a in self.modules:
                if not any(self._matches(p, a) for p in sources) or a in except_from:
                    continue
                for b in self.modules:
                    if a != b and any(self._matches(p, b) for p in targets):
                        yield a, b, entry["why"]

    def _closure(self, start):
        """Modules reachable from `start` through allow lists, with one path to each."""
        seen = {start: [start]}
        todo = [start]
        while todo:
            m = todo.pop()
            for n in self.modules[m].allow:
                if n in self.modules and n not in seen:
                    seen[n] = seen[m] + [n]
                    todo.append(n)
        return seen

    def _check_rules(self):
        problems = []
        rel = lambda path: os.path.relpath(path, self.root)  # noqa: E731
        for m in self.modules.values():
            for a in m.allow:
                if a not in self.modules:
                    problems.append(f"{rel(m.rules_path)}: allow: no module {a}")
            for t in m.third_party:
                if t not in self.third_party:
                    problems.append(f"{rel(m.rules_path)}: third_party: {t} is not declared in {RULES_FILE}")
        for a, b, why in self._forbidden_edges():
            path = self._closure(a).get(b)
            if path:
                problems.append(f"{rel(self.modules[a].rules_path)}: {a} may not depend on {b} "
                                f"({why}), but its allow list reaches it: {' -> '.join(path)}")
        if problems:
            raise RulesError("\n".join(problems))

    # --- headers -----------------------------------------------------------------------
    def _index_public_headers(self):
        index = {}
        for m in self.modules.values():
            for d in m.include_dirs:
                for dirpath, dirnames, filenames in os.walk(d):
                    dirnames.sort()
                    for f in filenames:
                        if f.endswith(SOURCE_SUFFIXES):
                            rel = os.path.relpath(os.path.join(dirpath, f), d)
                            index.setdefault(rel, m.name)
        return index

    def owner_of_path(self, path):
        """The module whose folder holds `path` (the innermost one)."""
        best = None
        for m in self.modules.values():
            if path == m.path or path.startswith(m.path + os.sep):
                if best is None or len(m.path) > len(best.path):
                    best = m
        return best

    def is_public(self, module, path):
        return any(path.startswith(d + os.sep) for d in module.include_dirs)

    def third_party_of(self, header):
        for lib, patterns in self.third_party.items():
            for p in patterns:
                if header == p or (p.endswith("/") and header.startswith(p)):
                    return lib
        return None

    def is_system(self, header):
        if "/" not in header and "." not in header:
            return True  # the C++ standard library: <vector>, <string_view> ...
        return header in self.system_headers or header.startswith(self.system_prefixes)

    # --- the check ---------------------------------------------------------------------
    def source_files(self):
        for top in self.product_roots:
            for dirpath, dirnames, filenames in os.walk(os.path.join(self.root, top)):
                dirnames.sort()
                for f in sorted(filenames):
                    if f.endswith(SOURCE_SUFFIXES):
                        yield os.path.join(dirpath, f)

    def check_include(self, module, file, quote, header):
        """None when allowed, else the reason."""
        if quote == '"':
            beside = os.path.normpath(os.path.join(os.path.dirname(file), header))
            if os.path.isfile(beside):
                owner = self.owner_of_path(beside)
                if owner is module:
                    return None
                if owner is None:
                    return "is outside every module"
                if not self.is_public(owner, beside):
                    return f"is a private header of {owner.name}"
                return self.check_module_edge(module, owner.name)
        owner = self.public.get(header)
        if owner is not None:
            return None if owner == module.name else self.check_module_edge(module, owner)
        lib = self.third_party_of(header)
        if lib is not None:
            if lib in module.third_party:
                return None
            return f"{module.name} may not include {lib} headers (third_party = {module.third_party})"
        if self.is_system(header):
            return None
        return (f"unknown header: not in any module's include dirs, not a declared third-party "
                f"library, not a system header ({os.path.relpath(self.rules_path, self.root)})")

    def check_module_edge(self, module, target):
        if target in module.allow:
            return None
        why = ""
        for a, b, reason in self._forbidden_edges():
            if a == module.name and b == target:
                why = f"; forbidden: {reason}"
        return f"{module.name} may not depend on {target} (allow = {module.allow}{why})"

    def run(self):
        violations = []
        for file in self.source_files():
            module = self.owner_of_path(file)
            rel = os.path.relpath(file, self.root)
            if module is None:
                violations.append(f"{rel}:1: no {RULES_FILE} governs this file")
                continue
            with open(file, encoding="utf-8", errors="replace") as f:
                for number, line in enumerate(f, 1):
                    m = INCLUDE_RE.match(line)
                    if not m:
                        continue
                    quote, header = m.group(1), m.group(2)
                    reason = self.check_include(module, file, quote, header)
                    if reason:
                        shown = f"{quote}{header}{'>' if quote == '<' else quote}"
                        rules = os.path.relpath(module.rules_path, self.root)
                        violations.append(f"{rel}:{number}: {shown}: {reason} ({rules})")
        return violations


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", default=os.path.join(os.path.dirname(__file__), "..", ".."),
                        help="the project root (holds include_rules.toml)")
    args = parser.parse_args()
    try:
        project = Project(args.root)
    except RulesError as e:
        print(f"include rules are inconsistent:\n{e}", file=sys.stderr)
        return 2
    violations = project.run()
    for v in violations:
        print(v)
    files = sum(1 for _ in project.source_files())
    if violations:
        print(f"{len(violations)} include(s) break the rules ({files} files, "
              f"{len(project.modules)} modules)", file=sys.stderr)
        return 1
    print(f"include rules hold: {files} files, {len(project.modules)} modules")
    return 0


if __name__ == "__main__":
    sys.exit(main())
