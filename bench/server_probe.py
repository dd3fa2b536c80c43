"""What the benches read off a running kronika: /proc figures of its process and its own
Prometheus metrics (summed over labels)."""
import re
import urllib.request


def proc_status(pid, field):
    """A /proc/<pid>/status field in its unit (kB for memory), 0 when the process is gone."""
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def scrape(port):
    """Every metric of GET /metrics on 127.0.0.1:`port`, by name, summed over its labels."""
    text = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5).read().decode()
    values = {}
    for line in text.splitlines():
        m = re.match(r"^([a-z_0-9]+)(\{[^}]*\})?\s+(\S+)$", line)
        if m:
            values[m.group(1)] = values.get(m.group(1), 0.0) + float(m.group(3))
    return values
