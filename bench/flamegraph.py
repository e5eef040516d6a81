"""Flame graphs from `perf script` output, without Brendan Gregg's scripts (not packaged in Debian or npm).

Two steps, usable apart:
  collapse  `perf script` text (one block per sample: a header line, then one frame per line, leaf first) → collapsed
            stacks, one line per distinct stack: `thread;root;…;leaf COUNT` (.NET method names shortened to
            `Namespace.Type::Method`, so the tiers of one method merge; unresolved frames keep their module's name).
  render    collapsed stacks → an SVG: one box per frame, width proportional to its samples, roots at the bottom,
            children ordered by name; each box's <title> (the tooltip) holds the full name, samples and share of the
            total; colours by component (see COMPONENTS: kernel, runtime, Kestrel, YARP, the HTTP client, Shoal, …).

Command line: `perf script -i perf.data | python3 bench/flamegraph.py "title" > out.svg` (collapse + render), or
`python3 bench/flamegraph.py "title" stacks.folded > out.svg` (render only). bench/profile.py imports it and uses
COMPONENTS for its share-by-bucket summary."""
import html, re, sys
from collections import defaultdict

# Component of one (shortened) frame name, first match wins, with its colour in the SVG. bench/profile.py buckets
# samples by these too.
COMPONENTS = [
    ("kernel", "#e8a33d", re.compile(r"^\[k\] ")),
    ("runtime: GC", "#d9534f", re.compile(r"gc_heap|GCHeap|WKS::|SVR::|GarbageCollect|GCToEEInterface|gc\.cpp|GCInterface")),
    ("runtime: JIT", "#c9302c", re.compile(r"libclrjit|ThePreStub|PreStubWorker|TieredCompilation|CallCountingManager|CEEJitInfo|UnsafeJitFunction|jitinterface")),
    ("Shoal", "#5cb85c", re.compile(r"^Shoal\.")),
    ("YARP forwarder", "#9b59b6", re.compile(r"^Yarp\.")),
    ("SocketsHttpHandler (upstream client)", "#3498db", re.compile(r"^System\.Net\.Http\.")),
    ("Kestrel", "#1abc9c", re.compile(r"^Microsoft\.AspNetCore\.Server\.Kestrel\.|^System\.IO\.Pipelines\.")),
    ("ASP.NET Core hosting/routing", "#16a085", re.compile(r"^Microsoft\.AspNetCore\.|^Microsoft\.Extensions\.")),
    ("telemetry (metrics, tracing)", "#f1c40f", re.compile(r"^OpenTelemetry\.|^System\.Diagnostics\.(Metrics|Activity|DiagnosticSource)")),
    ("sockets (System.Net.Sockets)", "#2980b9", re.compile(r"^System\.Net\.Sockets\.")),
    ("runtime: thread pool", "#e67e22", re.compile(r"ThreadPool|PortableThreadPool|LowLevelLifoSemaphore|WorkerThread|ThreadPoolWorkQueue|IOCompletionPoller")),
    ("runtime: other native (libcoreclr)", "#f08080", re.compile(r"^\[libcoreclr")),
    ("CoreLib (other managed BCL)", "#95a5a6", re.compile(r"^System\.|^Microsoft\.Win32|^Internal\.")),
    ("native libraries (libc, System.Native)", "#bdc3c7", re.compile(r"^\[(lib|ld-)")),
]
OTHER = ("other", "#cccccc")


def component(frame):
    """(name, colour) of the component a frame belongs to."""
    for name, colour, pattern in COMPONENTS:
        if pattern.search(frame):
            return name, colour
    return OTHER


def dotnet_name(sym):
    """`void [System.Private.CoreLib] System.Threading.Tasks.Task::RunContinuations(class System.Object)[OptimizedTier1]`
    → `System.Threading.Tasks.Task::RunContinuations`: the type (generic arguments, which may nest, dropped) and the
    method; None when `sym` is no .NET method."""
    colons = sym.find("::")
    if colons < 0:
        return None
    end = sym.find("(", colons)
    method = sym[colons + 2:end if end > 0 else len(sym)]
    depth, i = 0, colons - 1
    while i >= 0 and not (depth == 0 and sym[i] == " "):
        depth += {"]": 1, "[": -1}.get(sym[i], 0)
        i -= 1
    type_name = sym[i + 1:colons]
    plain, depth = [], 0
    for ch in type_name:   # drop `[...]` generic arguments, keep `+Nested` and `<Compiler>d__1` names
        if ch == "[":
            depth += 1
        elif ch == "]":
            depth -= 1
        elif depth == 0:
            plain.append(ch)
    return re.sub(r"`\d+", "", "".join(plain)) + "::" + re.sub(r"\[[^\]]*\]$", "", method)


def frame_name(sym, dso):
    """A short, stable name for one frame of `perf script`: .NET methods by Type::Method, kernel frames as `[k] sym`,
    unresolved frames by their module (`[libcoreclr.so]`)."""
    module = dso.rsplit("/", 1)[-1]
    if dso.startswith("[kernel") or dso == "[vdso]":
        return "[k] " + sym.split("+", 1)[0]
    if sym in ("", "[unknown]"):
        return f"[{module or 'unknown'}]"
    name = dotnet_name(sym)
    if name:
        return name
    sym = sym.split("+0x", 1)[0]
    if module.endswith(".so") or ".so." in module:
        return f"[{module.split('.so', 1)[0]}] {sym}"
    return sym


def collapse(lines, resolve=None, tiers=None):
    """`perf script` text (fields comm,tid,ip,sym,dso) → {stack: samples}, stack = `thread;root;…;leaf`. The thread is
    its name with trailing digits dropped (`.NET TP Worker`, `.NET Sockets`), so pools merge. `resolve(ip)` names frames
    perf left unresolved (ReadyToRun code inside a mapped .dll, which perf does not look up in /tmp/perf-PID.map).
    `tiers`, a Counter, counts the samples whose leaf is .NET code by the tier the perf map names (`OptimizedTier1`, …)."""
    stacks = defaultdict(int)
    header, frames = None, []
    frame_line = re.compile(r"^\s+([0-9a-f]+)\s+(.*)\s+\(([^()]*)\)$")

    def flush():
        if header is not None:
            m = re.match(r"^(.*?)[\s\d-]*\s(\d+)\s*$", header)   # `comm tid`; comm may hold spaces and digits
            thread = (m.group(1) if m else header.split()[0]) or "?"
            stacks[";".join([thread] + frames[::-1])] += 1

    for line in lines:
        line = line.rstrip("\n")
        if not line.strip():
            flush(); header, frames = None, []
        elif line[0] not in " \t":
            flush(); header, frames = line, []
        else:
            m = frame_line.match(line)
            if m:
                sym = m.group(2)
                if sym == "[unknown]" and resolve:
                    sym = resolve(int(m.group(1), 16)) or sym
                name = frame_name(sym, m.group(3))
                if tiers is not None and not frames and "::" in name:
                    tier = re.search(r"\[(\w+)\]$", sym)
                    tiers[tier.group(1) if tier else "unknown"] += 1
                if not (frames and name == frames[-1] and name.endswith("]")):   # a run of unnamed frames of one module: one box
                    frames.append(name)
    flush()
    return stacks


def render(stacks, title, width=1800, row=17):
    """Collapsed stacks → SVG text (no script): boxes by samples, names in <title>."""
    tree = {"n": 0, "c": {}}
    for stack, count in stacks.items():
        node = tree; node["n"] += count
        for f in stack.split(";"):
            node = node["c"].setdefault(f, {"n": 0, "c": {}}); node["n"] += count
    total = tree["n"] or 1
    depth = max((s.count(";") + 1 for s in stacks), default=1)
    legend = COMPONENTS + [(OTHER[0], OTHER[1], None)]
    per_line = max(1, int(width // 330))
    legend_rows = (len(legend) + per_line - 1) // per_line
    height = (depth + 2 + legend_rows) * row + 10
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" font-family="monospace" font-size="11">',
           f'<rect width="100%" height="100%" fill="#fafafa"/>',
           f'<text x="{width / 2}" y="{row}" text-anchor="middle" font-size="14">{html.escape(title)} ({total:,} samples)</text>']
    scale = (width - 20) / total
    char = 6.6

    def draw(name, node, x, level):
        w = node["n"] * scale
        if w < 0.3:
            return
        y = height - (level + 1) * row
        _, colour = component(name)
        label = f"{name} — {node['n']:,} samples, {100 * node['n'] / total:.2f} %"
        out.append(f'<g><title>{html.escape(label)}</title><rect x="{x:.2f}" y="{y}" width="{w:.2f}" height="{row - 1}" fill="{colour}" rx="1"/>')
        fits = int((w - 4) / char)
        if fits >= 3:
            text = name if len(name) <= fits else name[:fits - 2] + ".."
            out.append(f'<text x="{x + 2:.2f}" y="{y + row - 5}">{html.escape(text)}</text>')
        out.append("</g>")
        for child_name in sorted(node["c"]):
            child = node["c"][child_name]
            draw(child_name, child, x, level + 1)
            x += child["n"] * scale

    x = 10
    for name in sorted(tree["c"]):
        draw(name, tree["c"][name], x, 0)
        x += tree["c"][name]["n"] * scale
    for i, (name, colour, _) in enumerate(legend):
        lx, ly = 10 + (i % per_line) * 330, row + 6 + (i // per_line) * row
        out.append(f'<rect x="{lx}" y="{ly}" width="10" height="10" fill="{colour}"/><text x="{lx + 13}" y="{ly + 9}">{html.escape(name)}</text>')
    out.append("</svg>")
    return "\n".join(out) + "\n"


def read_folded(lines):
    stacks = defaultdict(int)
    for line in lines:
        stack, _, count = line.rstrip("\n").rpartition(" ")
        if stack:
            stacks[stack] += int(count)
    return stacks


if __name__ == "__main__":
    title = sys.argv[1] if len(sys.argv) > 1 else "flame graph"
    if len(sys.argv) > 2:
        with open(sys.argv[2]) as f:
            stacks = read_folded(f)
    else:
        stacks = collapse(sys.stdin)
    sys.stdout.write(render(stacks, title))
