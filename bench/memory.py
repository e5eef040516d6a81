"""Runs bench/memory.sh: the daemon's memory after proxy.sh's load, split by what holds it, for one or more runtime
settings (environment variables the `shoal up -d` passes to the daemon) or CLI builds (`cli=PATH` in a variant: that
`shoal` binary runs the stack instead of ROOT/shoal, e.g. a Native AOT publish), rounds interleaved. Writes
bench/results/memory.md (or the file MEMORY_RESULTS names, relative to ROOT).

The split comes from /proc/PID/smaps (resident KB of each mapping, by what is mapped) and the runtime's own counters on
the daemon's /metrics (the GC's committed memory after the last collection): anonymous memory the GC did not commit is the
runtime's and native code's (JIT code and loader heaps, thread stacks, socket and TLS buffers, native allocations)."""
import collections, datetime, os, re, statistics, subprocess, sys, tempfile, time, urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import hand_notes  # noqa: E402
from proxy import RESILIENCE, cpu_ticks, rss_bytes, start_stack, wait_http, wrk


def smaps_split(pid):
    """Resident MB by kind of mapping: managed assemblies (.dll), native libraries (.so and the apphost), JIT code mapped
    through the W^X double mapping (memfd), anonymous memory (GC heap, runtime, native), everything else."""
    kinds, files = collections.Counter(), collections.Counter()
    kind, path = "other", ""
    with open(f"/proc/{pid}/smaps") as f:
        for line in f:
            head = re.match(r"^[0-9a-f]+-[0-9a-f]+ \S+ \S+ \S+ \d+\s*(.*)$", line)
            if head:
                path = head.group(1)
                if path.endswith(".dll"):
                    kind = "mapped .dll (managed assemblies, ReadyToRun code)"
                elif path.endswith("/shoal"):
                    kind = "the shoal executable (apphost; Native AOT: the whole program)"
                elif ".so" in path:
                    kind = "mapped .so (coreclr, clrjit, System.Native, libc)"
                elif "doublemapper" in path:
                    kind = "JIT code (W^X double mapping)"
                elif path in ("", "[heap]", "[stack]") or path.startswith("[anon") or path.startswith("[v"):
                    kind = "anonymous"
                else:
                    kind = "other files"
            elif line.startswith("Rss:"):
                kinds[kind] += int(line.split()[1]) / 1024
                if path.startswith("/"):
                    files[os.path.basename(path)] += int(line.split()[1]) / 1024
    return kinds, files


def gc_metrics(stack):
    """The GC's committed bytes and heap size after the last collection, and GC counts, from the daemon's /metrics."""
    request = urllib.request.Request(stack["admin"] + "/metrics", headers={"Authorization": "Bearer " + stack["token"]})
    text = urllib.request.urlopen(request, timeout=10).read().decode()
    values = collections.Counter()
    for line in text.splitlines():
        if line.startswith("#") or " " not in line:
            continue
        name = re.split(r"[{ ]", line, 1)[0]
        for key, prefix in (("committed", "dotnet_gc_last_collection_memory_committed_size"), ("heap", "dotnet_gc_last_collection_heap_size"),
                            ("collections", "dotnet_gc_collections")):
            if name.startswith(prefix):
                values[key] += float(line.rsplit(" ", 1)[1])
    return values


def main():
    root, rounds, seconds, variants = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4:] or ["default"]
    work = tempfile.mkdtemp(prefix="shoal-memory-")
    os.chmod(work, 0o755)
    rows = []
    for rnd in range(1, rounds + 1):
        for i, variant in enumerate(variants[rnd % len(variants):] + variants[:rnd % len(variants)]):
            env = dict(kv.split("=", 1) for kv in variant.split(",") if "=" in kv)
            cli = env.pop("cli", os.path.join(root, "shoal"))
            saved = {k: os.environ.get(k) for k in env}
            os.environ.update(env)
            try:
                stack = start_stack(cli, work, root, f"memory-{rnd}-{i}", service=RESILIENCE)
            finally:
                for k, v in saved.items():
                    if v is None:
                        os.environ.pop(k)
                    else:
                        os.environ[k] = v
            try:
                url = f"http://127.0.0.1:{stack['port']}/api/whoami"
                wait_http(url, name=variant)
                idle = rss_bytes([stack["pid"]]) / 1048576
                subprocess.run(["wrk", "-t2", "-c100", "-d8s", url], stdout=subprocess.DEVNULL)
                c0 = cpu_ticks([stack["pid"]])
                run = wrk(url, 100, seconds)
                c1 = cpu_ticks([stack["pid"]])
                time.sleep(1)
                row = {"round": rnd, "variant": variant, "idle": idle, "rss": rss_bytes([stack["pid"]]) / 1048576, "rps": run["rps"],
                       "p99": run["p99"], "cpu_us": (c1 - c0) * 1e4 / run["requests"], "gc": gc_metrics(stack)}
                row["split"], row["files"] = smaps_split(stack["pid"])
                rows.append(row)
                print(f"round {rnd} {variant}: RSS {row['rss']:.0f} MB (idle {idle:.0f}), GC committed {row['gc']['committed'] / 1048576:.0f} MB, "
                      f"{row['rps']:.0f} req/s, {row['cpu_us']:.1f} µs/req", flush=True)
            finally:
                subprocess.run([stack["cli"], "down", "-f", stack["yml"]], stdout=subprocess.DEVNULL)

    path = os.path.join(root, os.environ.get("MEMORY_RESULTS", "bench/results/memory.md"))
    notes = hand_notes.kept(path)
    with open(path, "w") as out:
        w = out.write
        w("# The daemon's memory after proxy.sh's load\n\n")
        w(f"Command: `{os.environ.get('MEMORY_COMMAND', 'bench/memory.sh')}`, run {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC "
          f"on {os.cpu_count()} cores shared with other sessions' builds and tests. The stack of `proxy.sh` (two sample-app replicas, "
          f"every resilience feature on, metrics on); per variant and round a fresh daemon started with the variant's environment, "
          f"8 s of wrk at 100 connections to warm up, {seconds} s measured, then the daemon's RSS, its /proc/PID/smaps split and "
          "the GC's committed memory after its last collection (`dotnet.gc.last_collection.memory.committed_size`). "
          "Medians over rounds, MB.\n\n")
        kinds = sorted({k for r in rows for k in r["split"]}, key=lambda k: -statistics.median(r["split"].get(k, 0) for r in rows))
        w("| variant | RSS idle | RSS after | GC heap (live after last GC) | GC committed | anonymous − GC committed (runtime, native) | " + " | ".join(kinds) + " | req/s | p99 ms | CPU µs/req |\n")
        w("|---" * (9 + len(kinds)) + "|\n")
        for variant in variants:
            mine = [r for r in rows if r["variant"] == variant]
            def med(f): return statistics.median(f(r) for r in mine)
            w(f"| `{variant}` | {med(lambda r: r['idle']):.0f} | {med(lambda r: r['rss']):.0f} | {med(lambda r: r['gc']['heap'] / 1048576):.0f} | "
              f"{med(lambda r: r['gc']['committed'] / 1048576):.0f} | "
              f"{med(lambda r: r['split'].get('anonymous', 0) - r['gc']['committed'] / 1048576):.0f} | "
              + " | ".join(f"{med(lambda r, k=k: r['split'].get(k, 0)):.0f}" for k in kinds)
              + f" | {med(lambda r: r['rps']):,.0f} | {med(lambda r: r['p99']):.1f} | {med(lambda r: r['cpu_us']):.1f} |\n")
        w("\n")
        for variant in variants:
            first = next(r for r in rows if r["variant"] == variant)
            w(f"Largest mapped files of the first `{variant}` daemon (resident MB): "
              + ", ".join(f"{name} {mb:.1f}" for name, mb in first["files"].most_common(15))
              + f"; {len(first['files'])} files mapped in all.\n\n")
        w(notes)
    print(open(path).read())


if __name__ == "__main__":
    main()
