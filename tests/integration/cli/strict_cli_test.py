"""The `kronika` command line as an operator meets it (issue 15 items 2 and 7).

- Configuration is found, not guessed: --config, else $KRONIKA_CONFIG, else
  /etc/kronika/kronika.toml, else the built-in defaults; every command but serve and init
  refuses a data dir without a database, naming the path it tried, and creates nothing.
- A strict CLI: every command refuses unknown options, missing values, repeated values and
  bad values with exit 2 and a message naming the option, before it changes anything.
- --help for every command and subcommand; --json on every listing.

No daemon: the tools run on a data dir made by `kronika init`.
"""
import datetime
import json
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from harness import BIN  # noqa: E402

failures = []


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        failures.append(what)


def env_without_config(**extra):
    env = {k: v for k, v in os.environ.items() if k != "KRONIKA_CONFIG"}
    env.update(extra)
    return env


def run(*args, env=None, cwd=None):
    r = subprocess.run([BIN, *args], capture_output=True, text=True, env=env or env_without_config(), cwd=cwd,
                       stdin=subprocess.DEVNULL)
    return r.returncode, r.stdout, r.stderr


def refused(args, naming, what, env=None):
    """The command exits 2, and its message names `naming` (the option, the value)."""
    code, out, err = run(*args, env=env)
    names = [naming] if isinstance(naming, str) else naming
    check(code == 2 and all(n in err for n in names),
          f"{what}: exit 2 naming {names} (got {code}: {err.strip()[:200]})")


def main():
    if not os.path.exists(BIN):
        print(f"SKIP: no kronika binary at {BIN}")
        return 77
    work = tempfile.mkdtemp(prefix="kronika-cli-")
    try:
        return run_checks(work)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def run_checks(work):
    data = os.path.join(work, "data")
    key = os.path.join(work, "master.key")
    with open(key, "w") as f:
        f.write(os.urandom(32).hex() + "\n")
    key_env = env_without_config(KRONIKA_MASTER_KEY_FILE=key)

    # --- configuration found, not guessed ---------------------------------------------
    nowhere = os.path.join(work, "nowhere")
    config = os.path.join(work, "kronika.toml")
    with open(config, "w") as f:
        f.write(f'[storage]\ndata_dir = "{nowhere}"\n')
    env_config = env_without_config(KRONIKA_CONFIG=config, KRONIKA_MASTER_KEY_FILE=key)
    no_db = [
        ["query"], ["show", "01JDX0000000000000000000Q1"], ["user", "list"],
        ["user", "add", "bob", "--role", "listener", "--name", "B", "--surname", "C", "--position", "P"],
        ["user", "tokens"], ["hold", "list"], ["hold", "place", "01JDX0000000000000000000Q1", "--case", "A", "--by", "B"],
        ["dnr", "list"], ["dnr", "add", "+48221234567", "--by", "iod"], ["subject", "find", "+48221234567"],
        ["retention", "log"], ["retention", "sweep"], ["register", "verify"], ["key", "status"], ["export", "list"],
        ["events"],
    ]
    for args in no_db:
        code, out, err = run(*args, env=env_config)
        check(code == 2 and nowhere in err and config in err,
              f"'{' '.join(args)}' with $KRONIKA_CONFIG pointing at an empty dir: exit 2 naming the dir and the "
              f"config (got {code}: {err.strip()[:160]})")
    check(not os.path.exists(nowhere), "no command created the data dir it was pointed at")

    if not os.path.exists("/etc/kronika/kronika.toml"):
        cwd = os.path.join(work, "elsewhere")
        os.makedirs(cwd)
        code, out, err = run("user", "add", "bob", "--role", "listener", "--name", "B", "--surname", "C",
                             "--position", "P", cwd=cwd)
        check(code == 2 and os.path.join(cwd, "var") in err and "built-in defaults" in err,
              f"without any config, 'user add' run from the wrong dir names {cwd}/var (got {err.strip()[:160]})")
        check(not os.listdir(cwd), "... and creates nothing there")
    else:
        print("skip the built-in default check: /etc/kronika/kronika.toml exists on this machine")

    missing = os.path.join(work, "missing.toml")
    refused(["user", "list"], ["KRONIKA_CONFIG", missing], "$KRONIKA_CONFIG naming a missing file",
            env=env_without_config(KRONIKA_CONFIG=missing))
    refused(["user", "list", "--config", missing], missing, "--config naming a missing file")

    code, out, err = run("init", "--data-dir", data)
    check(code == 0 and os.path.exists(os.path.join(data, "db", "data.mdb")), f"kronika init makes the databases ({err.strip()})")
    code, out, err = run("init", "--data-dir", data)
    check(code == 0 and "already" in out, "kronika init again leaves them alone")

    good = os.path.join(work, "good.toml")
    with open(good, "w") as f:
        f.write(f'[storage]\ndata_dir = "{data}"\n')
    code, out, err = run("user", "list", "--json", "--config", good, env=env_config)
    check(code == 0 and json.loads(out)["count"] == 0, f"--config wins over $KRONIKA_CONFIG ({err.strip()})")
    code, out, err = run("user", "list", "--json", env=env_without_config(KRONIKA_CONFIG=good))
    check(code == 0, f"$KRONIKA_CONFIG is used when no --config is given ({err.strip()})")
    code, out, err = run("user", "list", "--json", "--data-dir", data, env=env_config)
    check(code == 0, f"--data-dir wins over the config's data_dir ({err.strip()})")

    # --- strict options ------------------------------------------------------------------
    d = ["--data-dir", data]
    add = ["user", "add", "bob", "--role", "listener", "--name", "Bob", "--surname", "Nowak", "--position", "Clerk"]
    refused(add + ["--authorized-by", "ref 1/26"] + d, "--authorized-by", "user add with a misspelt --authorised-by")
    code, out, err = run("user", "list", "--json", *d)
    check(code == 0 and json.loads(out)["count"] == 0, "... and no user was added")
    refused(["user", "add", "bob", "--role", "listener", "--surname", "N", "--position", "P"] + d, "--name",
            "user add without --name")
    refused(add[:-1] + d + ["--position"], "--position", "user add with --position missing its value")
    refused(["user", "add", "bob", "--role", "wizard", "--name", "B", "--surname", "N", "--position", "P"] + d,
            ["--role", "wizard"], "user add with an unknown role")
    refused(["user", "frobnicate"] + d, "frobnicate", "an unknown user subcommand")
    refused(["user"] + d, "subcommand", "user without a subcommand")
    refused(["user", "token", "bob", "--expires", "yesterday"] + d, ["--expires", "yesterday"], "a token expiry that is not a time")
    refused(["user", "disable"] + d, "USERNAME", "user disable without a user")
    refused(["register", "export", "--csv", "--since", "2026-01-01"] + d, "--since", "register export --since (unknown)")
    refused(["register", "export", "--csv", "--from", "last week"] + d, ["--from", "last week"], "register export --from that is not a time")
    refused(["register", "export", "--format", "docx"] + d, ["--format", "docx"], "register export --format docx")
    refused(["register", "export", "--csv", "--html"] + d, ["--csv", "--html"], "register export with two formats")
    refused(["register", "verify", "extra"] + d, "extra", "register verify with an extra argument")
    refused(["query", "--limit", "ten"] + d, ["--limit", "1..10000"], "query --limit ten")
    refused(["query", "--nubmer", "601234567"] + d, "--nubmer", "query with a misspelt --number")
    refused(["query", "--json", "--csv"] + d, ["--json", "--csv"], "query --json --csv")
    refused(["query", "--from", "monday"] + d, ["from", "monday"], "query --from monday")
    refused(["query", "--country-code", "plus48"] + d, ["--country-code", "plus48"], "query --country-code plus48")
    refused(["show"] + d, "ID", "show without an ID")
    refused(["hold", "place", "01JDX0000000000000000000Q1", "--case", "II K 1/26"] + d, "--by", "hold place without --by")
    refused(["hold", "place", "01JDX0000000000000000000Q1", "--case", "A", "--case", "B", "--by", "C"] + d, "--case",
            "hold place with --case twice")
    refused(["hold", "place", "--number", "601234567", "01JDX0000000000000000000Q1", "--case", "A", "--by", "C"] + d,
            "--number", "hold place with IDs and --number")
    refused(["hold", "lift", "01JDX0000000000000000000Q1", "--case", "A", "--by", "C"] + d, "--reason", "hold lift without --reason")
    refused(["hold", "list", "--al"] + d, "--al", "hold list --al")
    refused(["hold", "release"] + d, "release", "an unknown hold subcommand")
    refused(["dnr", "add"] + d, "NUMBER", "dnr add without a number")
    refused(["dnr", "add", "+48221234567"] + d, "--by", "dnr add without --by")
    refused(["subject", "erase", "+48221234567", "--by", "iod"] + d, "--reason", "subject erase without --reason")
    refused(["subject", "find", "+48221234567", "--jsn"] + d, "--jsn", "subject find --jsn")
    refused(["retention", "log", "--limit", "ten"] + d, ["--limit", "ten"], "retention log --limit ten")
    refused(["retention", "sweep", "--now", "yesterday"] + d, ["--now", "yesterday"], "retention sweep --now yesterday")
    refused(["retention", "delete", "01JDX0000000000000000000Q1", "--by", "x"] + d, "--reason", "retention delete without --reason")
    refused(["key", "status", "--verbose"] + d, "--verbose", "key status --verbose", env=key_env)
    refused(["key", "rotate"] + d, "--new-key-file", "key rotate without --new-key-file", env=key_env)
    refused(["export", "verify"], "PACKAGE_DIR", "export verify without a package")
    refused(["export", "verify", os.path.join(work, "no-such-package")], "no-such-package", "export verify of a missing dir")
    refused(["export", "keygen"], "FILE", "export keygen without a file")
    refused(["init", "--force"] + d, "--force", "init --force (unknown)")
    refused(["serve", "--sip-port", "5060"], "--sip-port", "serve --sip-port (unknown)")
    refused(["serve", "--log-level", "loud"], ["--log-level", "loud"], "serve --log-level loud")
    refused(["serve", "--config"], "--config", "serve --config without a file")
    refused(["frobnicate"], "frobnicate", "an unknown command")

    # --- --help everywhere -----------------------------------------------------------------
    commands = {
        "serve": [], "init": [], "query": [], "show": [], "events": [],
        "user": ["add", "modify", "passwd", "list", "disable", "enable", "token", "tokens", "revoke"],
        "register": ["verify", "head", "export"], "export": ["keygen", "fingerprint", "verify", "list"],
        "key": ["status", "rotate", "probe"], "hold": ["place", "lift", "list"],
        "subject": ["find", "erase", "restrict", "unrestrict"], "dnr": ["add", "remove", "list"],
        "retention": ["sweep", "delete", "log"],
    }
    for command, subs in commands.items():
        for sub in [None] + subs:
            args = [command] + ([sub] if sub else []) + ["--help"]
            code, out, err = run(*args)
            usage = "Usage: kronika " + command + (" " + sub if sub else "") + " "
            check(code == 0 and usage in out and "--config" in out,
                  f"'kronika {' '.join(args)}' prints its usage and options (got {code}: {(out + err)[:80]!r})")

    # --- --json on every listing -------------------------------------------------------------
    code, out, err = run(*add, *d)
    check(code == 0, f"user add with every required option ({err.strip()})")
    code, token, err = run("user", "token", "bob", "--label", "web console", "--expires", "30d", *d)
    check(code == 0 and token.startswith("krk_"), "user token with a label and an expiry")
    token_id = token.strip()[4:20]
    listings = [
        (["user", "list"], "users"), (["user", "tokens"], "tokens"), (["hold", "list"], "holds"),
        (["hold", "list", "--all"], "acts"), (["subject", "find", "+48221234567"], "recordings"),
        (["retention", "log"], "deletions"), (["dnr", "list"], "numbers"), (["export", "list"], "exports"),
        (["query"], "recordings"),
    ]
    for args, field in listings:
        code, out, err = run(*args, "--json", *d)
        try:
            body = json.loads(out)
        except ValueError:
            body = {}
        check(code in (0, 1) and isinstance(body.get(field), list) and body.get("count") == len(body[field]),
              f"'{' '.join(args)} --json' is JSON with count and {field} (got {code}: {(out + err)[:120]!r})")
    code, out, err = run("user", "tokens", "bob", "--json", *d)
    tokens = json.loads(out)["tokens"] if code == 0 else []
    check(len(tokens) == 1 and tokens[0]["token_id"] == token_id and tokens[0]["label"] == "web console"
          and tokens[0]["expires_utc"] and tokens[0]["last_used_utc"] is None and not tokens[0]["expired"],
          f"user tokens lists the token's id, label, expiry and no use yet ({tokens})")
    code, out, err = run("key", "status", "--json", *d, env=key_env)
    body = json.loads(out) if out.startswith("{") else {}
    check(code == 0 and body.get("recording_keys") == 0 and len(body.get("master_key_id", "")) > 0,
          f"key status --json ({out.strip()} {err.strip()})")
    code, out, err = run("query", "--json", *d)
    body = json.loads(out) if out.startswith("{") else {}
    check(code == 1 and body.get("total") == 0 and body.get("offset") == 0 and body.get("limit") == 100,
          f"query --json reports the total and the page even with no match ({out[:120]!r})")
    code, out, err = run("user", "revoke", token_id, *d)
    check(code == 0, "user revoke TOKEN_ID")
    code, out, err = run("user", "tokens", "--json", *d)
    check(code == 0 and json.loads(out)["count"] == 0, "... and the token is no longer listed")

    # Issue 16 item 4: a token without --expires lives 90 days; "never" must be asked for.
    code, token, err = run("user", "token", "bob", "--label", "cron", *d)
    check(code == 0 and "ważny do" in err, f"user token without --expires says until when ({err.strip()})")
    code, token, err = run("user", "token", "bob", "--label", "forever", "--expires", "never", *d)
    check(code == 0 and token.startswith("krk_"), "user token --expires never")
    code, out, err = run("user", "tokens", "bob", "--json", *d)
    expiries = {t["label"]: t["expires_utc"] for t in json.loads(out)["tokens"]} if code == 0 else {}
    days = None
    if expiries.get("cron"):
        expires = datetime.datetime.fromisoformat(expiries["cron"].replace("Z", "+00:00"))
        days = (expires - datetime.datetime.now(datetime.timezone.utc)).total_seconds() / 86400
    check(days is not None and 89.9 < days <= 90.0 and expiries.get("forever") is None,
          f"the default expiry is 90 days, never is none ({expiries})")
    # A password never on the command line: without a terminal, --password-stdin is named.
    code, out, err = run("user", "passwd", "bob", *d)
    check(code == 2 and "--password-stdin" in err, f"user passwd without a terminal names --password-stdin ({err.strip()})")

    print(f"{len(failures)} failed" if failures else "all passed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
