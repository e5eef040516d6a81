using System.Globalization;
using Shoal.Functions.Pool;
using Spectre.Console;

namespace Shoal.Cli.Output;

/// <summary>Renders the functions' pools, then their instances (runtime, user, limits, usage, OOM kills), as <c>ps</c> prints them under the services.</summary>
internal static class FunctionTable
{
    public static void Write(IReadOnlyList<PoolSnapshot> pools)
    {
        var table = new Table().Border(TableBorder.Rounded).Title("[bold]functions[/]");
        table.AddColumn(new TableColumn("FUNCTION").NoWrap());
        foreach (var column in new[] { "TOTAL", "IDLE", "BUSY", "START", "WAIT", "STARTED", "429", "OOM", "RUNTIME" })
        {
            table.AddColumn(new TableColumn(column).NoWrap());
        }

        foreach (var p in pools)
        {
            table.AddRow(
                Markup.Escape(p.Function),
                Count(p.Instances),
                Count(p.Idle),
                Count(p.Busy),
                Count(p.Starting),
                Count(p.Waiting),
                p.Started.ToString(CultureInfo.InvariantCulture),
                p.Throttled.ToString(CultureInfo.InvariantCulture),
                p.OomKills.ToString(CultureInfo.InvariantCulture),
                Markup.Escape(p.Runtime));
        }

        var console = CliConsole.Create();
        console.Write(table);
        var instances = pools.SelectMany(p => p.Details).ToList();
        if (instances.Count > 0)
        {
            console.Write(Instances(instances));
        }
    }

    private static Table Instances(IReadOnlyList<AgentInstance> instances)
    {
        var table = new Table().Border(TableBorder.Rounded).Title("[bold]function instances[/]");
        foreach (var column in new[] { "INSTANCE", "FUNCTION", "STATE", "PID", "RUNTIME", "USER", "CPU", "MEMORY", "PIDS", "OOM" })
        {
            table.AddColumn(new TableColumn(column).NoWrap());
        }

        foreach (var i in instances)
        {
            table.AddRow(
                Markup.Escape(i.Id),
                Markup.Escape(i.Function),
                Markup.Escape(i.State.ToString().ToUpperInvariant()),
                i.Pid.ToString(CultureInfo.InvariantCulture),
                Markup.Escape(i.Runtime),
                Markup.Escape(i.User.Length == 0 ? "-" : i.User),
                Cpu(i),
                Memory(i),
                Pids(i),
                i.OomKills.ToString(CultureInfo.InvariantCulture));
        }

        return table;
    }

    // Used / limit, as `docker stats` shows it.
    private static string Cpu(AgentInstance i) =>
        (i.CpuSeconds is { } s ? s.ToString("0.00", CultureInfo.InvariantCulture) + "s" : "-")
        + (i.CpuLimit > 0 ? " / " + i.CpuLimit.ToString("0.##", CultureInfo.InvariantCulture) + " cpu" : "");

    private static string Memory(AgentInstance i) =>
        (i.MemoryBytes is { } b ? Mib(b) : "-") + (i.MemoryLimitBytes > 0 ? " / " + Mib(i.MemoryLimitBytes) : "");

    private static string Pids(AgentInstance i) =>
        (i.Pids is { } p ? p.ToString(CultureInfo.InvariantCulture) : "-") + (i.PidsLimit > 0 ? " / " + i.PidsLimit.ToString(CultureInfo.InvariantCulture) : "");

    private static string Mib(long bytes) => (bytes / (1024.0 * 1024)).ToString("0.#", CultureInfo.InvariantCulture) + "MiB";

    private static string Count(int value) => value.ToString(CultureInfo.InvariantCulture);
}
