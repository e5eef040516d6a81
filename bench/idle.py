"""Runs bench/idle.sh: what a daemon does while nothing happens. proxy.sh's stack (two sample-app replicas, every
resilience feature on) from this build and, with SHOAL_BASELINE, the same stack from that build; after a settling
period, each round reads both daemons' /proc over the same window of no traffic: CPU (utime + stime), context switches
(voluntary + nonvoluntary, summed over /proc/PID/task/*/status) and, per thread name (/proc/PID/task/*/comm), the
switches and CPU of the threads that woke. Writes bench/results/idle.md (or the file IDLE_RESULTS names)."""
import collections, datetime, os, statistics, subprocess, sys, tempfile, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import hand_notes  # noqa: E402
from proxy import RESILIENCE, start_stack, wait_http


def threads(pid):
    """Per thread id: (name, context switches, CPU ticks). Threads that exit while being read are skipped."""
    out = {}
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{tid}/comm") as f:
                name = f.read().strip()
            switches = 0
            with open(f"/proc/{pid}/task/{tid}/status") as f:
                for line in f:
                    if line.startswith(("voluntary_ctxt_switches:", "nonvoluntary_ctxt_switches:")):
                        switches += int(line.split()[1])
            with open(f"/proc/{pid}/task/{tid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            out[tid] = (name, switches, int(fields[11]) + int(fields[12]))
        except (FileNotFoundError, ProcessLookupError):
            pass
    return out


def process_cpu_ticks(pid):
    """The whole process's utime + stime, exited threads included."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])


def window(pids, seconds):
    """Reads every daemon before and after `seconds` of nothing: CPU ms per minute, switches per second, and per thread
    name the switches per second and CPU ms per minute (a thread born in the window counts from zero)."""
    before = {name: (process_cpu_ticks(pid), threads(pid)) for name, pid in pids.items()}
    start = time.monotonic()
    time.sleep(seconds)
    elapsed = time.monotonic() - start
    result = {}
    for name, pid in pids.items():
        cpu0, t0 = before[name]
        cpu1, t1 = process_cpu_ticks(pid), threads(pid)
        by_name = collections.defaultdict(lambda: [0.0, 0.0, 0])
        for tid, (comm, switches, ticks) in t1.items():
            _, s0, c0 = t0.get(tid, (comm, 0, 0))
            entry = by_name[comm]
            entry[0] += (switches - s0) / elapsed
            entry[1] += (ticks - c0) * 10 * 60 / elapsed
            entry[2] += 1
        result[name] = {"cpu": (cpu1 - cpu0) * 10 * 60 / elapsed, "switches": sum(v[0] for v in by_name.values()),
                        "threads": len(t1), "born": len(set(t1) - set(t0)), "by_name": dict(by_name)}
    return result


def main():
    root, rounds, seconds, settle = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    work = tempfile.mkdtemp(prefix="shoal-idle-")
    os.chmod(work, 0o755)
    baseline = os.environ.get("SHOAL_BASELINE")
    stacks = {}
    labels = {"this": f"this build ({rev(root)})"}
    try:
        stacks["this"] = start_stack(os.path.join(root, "shoal"), work, root, "idle-bench", service=RESILIENCE)
        if baseline:
            stacks["baseline"] = start_stack(os.path.join(baseline, "shoal"), work, root, "idle-bench-base", service=RESILIENCE)
            labels["baseline"] = f"baseline ({rev(baseline)})"
        for name, stack in stacks.items():
            wait_http(f"http://127.0.0.1:{stack['port']}/api/whoami", name=name)
        # Started, healthy, one request answered each; then nothing but the settling period before the first window.
        time.sleep(settle)
        rows = []
        for rnd in range(1, rounds + 1):
            measured = window({name: s["pid"] for name, s in stacks.items()}, seconds)
            for name, m in measured.items():
                rows.append({"round": rnd, "daemon": name, **m})
                print(f"round {rnd} {name}: {m['cpu']:.0f} ms CPU/min, {m['switches']:.1f} switches/s, {m['threads']} threads", flush=True)
    finally:
        for stack in stacks.values():
            subprocess.run([stack["cli"], "down", "-f", stack["yml"]], stdout=subprocess.DEVNULL)
    write(root, rows, labels, rounds, seconds, settle, baseline)


def rev(checkout):
    return subprocess.run(["git", "-C", checkout, "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()


def write(root, rows, labels, rounds, seconds, settle, baseline):
    path = os.path.join(root, os.environ.get("IDLE_RESULTS", "bench/results/idle.md"))
    # The reading is written by hand; a new run keeps it (to be checked against the new figures).
    reading = hand_notes.kept(path) or "## Reading (by hand)\n\n(to be written after the run)\n"
    daemons = list(labels)
    def med(name, key): return statistics.median(r[key] for r in rows if r["daemon"] == name)
    def spread(name, key):
        values = [r[key] for r in rows if r["daemon"] == name]
        return f"{min(values):.1f}–{max(values):.1f}"
    with open(path, "w") as out:
        w = out.write
        w("# An idle daemon\n\n")
        w(f"Command: `{os.environ.get('IDLE_COMMAND', 'bench/idle.sh')}`, run {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC "
          f"on {os.cpu_count()} cores shared with other sessions' builds and tests. The stack of `proxy.sh` (two sample-app replicas "
          "with an HTTP health check every 2 s, every resilience feature on, metrics on) started with `up -d`, one request "
          f"through the gateway, then no traffic at all: {settle} s to settle, then {rounds} windows of {seconds} s"
          + (", both daemons read over the same windows" if baseline else "") + ". Per window, from /proc: the daemon's "
          "utime + stime (ms of CPU per minute; /proc counts 10 ms ticks, so a low figure is coarse), its context switches "
          "(voluntary + nonvoluntary over /proc/PID/task/*/status: a wake-up is a voluntary switch) and, by thread name "
          "(/proc/PID/task/*/comm), which threads woke. Medians over windows (min–max).\n\n")
        w("| daemon | CPU ms/min | context switches/s | threads |\n|---|---|---|---|\n")
        for name in daemons:
            w(f"| {labels[name]} | {med(name, 'cpu'):.0f} ({spread(name, 'cpu')}) | {med(name, 'switches'):.1f} ({spread(name, 'switches')}) | {med(name, 'threads'):.0f} |\n")
        if baseline:
            per_round = {}
            for r in rows:
                per_round.setdefault(r["round"], {})[r["daemon"]] = r
            def ratio(key):
                pairs = [v for v in per_round.values() if v["baseline"][key] > 0]
                return statistics.median(v["this"][key] / v["baseline"][key] for v in pairs) if pairs else float("nan")
            w(f"\nThis build ÷ baseline, median of the per-window ratios: CPU {ratio('cpu'):.2f} ×, context switches {ratio('switches'):.2f} ×.\n")
        w("\n## Which threads wake (medians over windows)\n\n")
        names = sorted({n for r in rows for n in r["by_name"]}, key=lambda n: -max(
            statistics.median(r["by_name"].get(n, [0, 0, 0])[0] for r in rows if r["daemon"] == d) for d in daemons))
        w("| thread name | " + " | ".join(f"{labels[d]}: switches/s | CPU ms/min | threads" for d in daemons) + " |\n")
        w("|---" * (1 + 3 * len(daemons)) + "|\n")
        for n in names:
            cells = []
            for d in daemons:
                mine = [r["by_name"].get(n, [0, 0, 0]) for r in rows if r["daemon"] == d]
                cells.append(f"{statistics.median(m[0] for m in mine):.1f} | {statistics.median(m[1] for m in mine):.0f} | {statistics.median(m[2] for m in mine):.0f}")
            w(f"| `{n}` | " + " | ".join(cells) + " |\n")
        w("\n## Every window\n\n| window | daemon | CPU ms/min | switches/s | threads | threads born |\n|---|---|---|---|---|---|\n")
        for r in rows:
            w(f"| {r['round']} | {r['daemon']} | {r['cpu']:.0f} | {r['switches']:.1f} | {r['threads']} | {r['born']} |\n")
        w("\n" + reading)
    print(open(path).read())


if __name__ == "__main__":
    main()
