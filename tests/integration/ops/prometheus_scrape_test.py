#!/usr/bin/env python3
"""A real Prometheus scrapes a running `kronika serve` after a real SIPp recording session.

Checks (issue 6): the scrape is healthy, the call shows in the counters, the alert rules
load, and every PromQL expression of the Grafana dashboard and of the alert rules runs
without error and refers only to series the daemon exports (a dashboard expression must
also return data).
"""
import json
import os
import re
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.parse

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from harness import SOURCE, Kronika, free_port, free_udp_tcp_port, http_get, make_tone_wav, wait_for  # noqa: E402

DASHBOARD = os.path.join(SOURCE, "interop/grafana/dashboards/kronika-overview.json")
ALERTS = os.path.join(SOURCE, "interop/prometheus/kronika-alerts.yml")
SCENARIO = os.path.join(SOURCE, "tests/integration/ops/uac-short-call.xml")


def promql(prom, expr):
    url = f"http://127.0.0.1:{prom}/api/v1/query?" + urllib.parse.urlencode({"query": expr})
    try:
        body = json.loads(http_get(url))
    except urllib.error.HTTPError as e:
        body = json.loads(e.read().decode())
    return body


def main():
    for tool in ("prometheus", "sipp", "sox"):
        if not shutil.which(tool):
            print(f"SKIP: {tool} not installed")
            return 77
    # One webhook endpoint, so its series exist for the dashboard and the alert rules (issue 17);
    # nothing is sent to it unless an event is in the outbox.
    node = Kronika(config=f"""
[[webhooks]]
name = "scrape"
url = "https://127.0.0.1:{free_port()}/hook"
secret = "scrape-test-secret-0123"
""")
    work = node.work
    prom = free_port()
    procs = []
    failures = []
    try:
        node.start()
        http = node.http_port
        # One real recording session so that SIP, session and RTP series carry data.
        make_tone_wav(os.path.join(work, "tone.wav"))
        call = subprocess.run(
            ["sipp", "-sf", SCENARIO, "-m", "1", "-p", str(free_udp_tcp_port()), "-i", "127.0.0.1",
             "-timeout", "30s", "-timeout_error", "-nostdin", "-trace_err",
             f"127.0.0.1:{node.sip_port}"], cwd=work, capture_output=True, text=True)
        if call.returncode != 0:
            failures.append(f"SIPp call failed (exit {call.returncode}): {call.stdout[-500:]} {call.stderr[-500:]}")

        config = os.path.join(work, "prometheus.yml")
        with open(config, "w") as f:
            f.write(f"""global:
  scrape_interval: 1s
  evaluation_interval: 1s
rule_files: ['{ALERTS}']
scrape_configs:
  - job_name: kronika
    static_configs:
      - targets: ['127.0.0.1:{http}']
""")
        plog = open(os.path.join(work, "prometheus.log"), "w")
        procs.append(subprocess.Popen(
            ["prometheus", f"--config.file={config}", f"--storage.tsdb.path={work}/tsdb",
             f"--web.listen-address=127.0.0.1:{prom}"], stdout=plog, stderr=subprocess.STDOUT))

        def scraped():
            r = promql(prom, 'up{job="kronika"} == 1')
            return r["status"] == "success" and r["data"]["result"]
        wait_for("Prometheus to scrape kronika", scraped, timeout=60)
        time.sleep(6)  # a few scrapes, so rate() over the dashboard windows has two points

        # The call is visible through Prometheus.
        for expr, minimum in [('kronika_sip_responses_total{method="INVITE",code="200"}', 1),
                              ("kronika_sessions_started_total", 1),
                              ('kronika_sip_requests_total{method="BYE"}', 1),
                              ("kronika_rtp_packets_total", 1)]:
            r = promql(prom, expr)
            values = [float(s["value"][1]) for s in r.get("data", {}).get("result", [])]
            if not values or max(values) < minimum:
                failures.append(f"{expr}: expected >= {minimum}, got {values}")

        # Alert rules loaded and healthy.
        rules = json.loads(http_get(f"http://127.0.0.1:{prom}/api/v1/rules"))
        loaded = [r for g in rules["data"]["groups"] for r in g["rules"]]
        bad = [r["name"] for r in loaded if r.get("health") not in ("ok", "unknown")]
        if len(loaded) < 8 or bad:
            failures.append(f"alert rules: {len(loaded)} loaded, unhealthy: {bad}")

        # Every dashboard expression runs and returns data.
        dashboard = json.load(open(DASHBOARD))
        for panel in dashboard["panels"]:
            for target in panel.get("targets", []):
                r = promql(prom, target["expr"])
                if r.get("status") != "success":
                    failures.append(f"dashboard '{panel['title']}': {target['expr']}: {r.get('error')}")
                elif not r["data"]["result"]:
                    failures.append(f"dashboard '{panel['title']}': {target['expr']}: no series")

        # Every alert expression runs; every metric it names is exported by the daemon.
        alert_exprs = [r["query"] for r in loaded]
        for expr in alert_exprs:
            r = promql(prom, expr)
            if r.get("status") != "success":
                failures.append(f"alert expr {expr}: {r.get('error')}")
            for name in set(re.findall(r"\b(kronika_[a-z0-9_]+|up)\b", expr)):
                s = promql(prom, name)
                if not s.get("data", {}).get("result"):
                    failures.append(f"alert expr names {name}, which has no series")
    finally:
        node.stop()
        for p in reversed(procs):
            p.terminate()
            try:
                p.wait(10)
            except subprocess.TimeoutExpired:
                p.kill()
    if failures:
        print("FAIL:\n  " + "\n  ".join(failures))
        print("--- kronika log (tail) ---\n" + node.log_tail())
        return 1
    shutil.rmtree(work, ignore_errors=True)
    print("OK: Prometheus scraped kronika; call counted; all dashboard and alert expressions valid")
    return 0


if __name__ == "__main__":
    sys.exit(main())
