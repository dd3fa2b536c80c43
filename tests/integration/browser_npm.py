"""The browser tests' JavaScript packages (issue 16): puppeteer-core drives Debian's chromium
and axe-core checks accessibility. They come from the npm registry, installed once into a
cache directory of the build tree (never at build time); a test calls node_modules() and
SKIPs (exit 77) when it returns None: no node/npm, no chromium, or no registry reachable."""
import os
import shutil
import subprocess

# Pinned: a new major version of either changes what the tests see.
PACKAGES = ("puppeteer-core@25.19.0", "axe-core@4.14.1")


def chromium() -> str | None:
    for name in ("chromium", "chromium-browser"):
        if shutil.which(name):
            return shutil.which(name)
    return None


def node_modules() -> tuple[str | None, str]:
    """(the node_modules directory holding PACKAGES, or None; why not)."""
    if not shutil.which("node") or not shutil.which("npm"):
        return None, "node and npm are needed (Debian: nodejs npm)"
    if not chromium():
        return None, "chromium is not installed"
    # One cache for every browser test (access:ui-workflow, records:browser).
    base = os.environ.get("KRONIKA_BROWSER_NPM_CACHE") or os.path.join(
        os.environ.get("KRONIKA_BUILD", os.path.expanduser("~/.cache")), "browser-test-npm")
    modules = os.path.join(base, "node_modules")
    wanted = {p.rsplit("@", 1)[0]: p.rsplit("@", 1)[1] for p in PACKAGES}

    def installed():
        import json
        for name, version in wanted.items():
            try:
                with open(os.path.join(modules, name, "package.json")) as f:
                    if json.load(f).get("version") != version:
                        return False
            except (OSError, ValueError):
                return False
        return True

    if installed():
        return modules, ""
    os.makedirs(base, exist_ok=True)
    r = subprocess.run(["npm", "install", "--no-audit", "--no-fund", "--no-save", "--prefix", base, *PACKAGES],
                       capture_output=True, text=True, timeout=600,
                       env=dict(os.environ, PUPPETEER_SKIP_DOWNLOAD="1"))
    if r.returncode != 0 or not installed():
        return None, f"npm install {' '.join(PACKAGES)} failed: {(r.stderr or r.stdout).strip()[-400:]}"
    return modules, ""
