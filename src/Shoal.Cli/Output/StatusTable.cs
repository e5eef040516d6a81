using System.Globalization;
using Shoal.Orchestration.Lifecycle;
using Shoal.Text;
using Spectre.Console;

namespace Shoal.Cli.Output;

/// <summary>Renders a stack snapshot as the table <c>up</c>, <c>ps</c> and <c>scale</c> print.</summary>
/// <remarks>
/// Columns that would be empty for every row (no ports, no limits or usage, no OOM kill, every replica a bare
/// process) are left out, so the table stays within 120 columns; <c>ps --json</c> always carries every field.
/// </remarks>
internal static class StatusTable
{
    private static readonly string[] s_headers = ["SERVICE", "INSTANCE", "PID", "PORT", "STATE", "RESTARTS", "UPTIME", "RUNTIME", "CPU", "MEM", "PIDS", "OOM", "LAST"];

    // Columns kept even when every row has nothing in them.
    private static readonly HashSet<string> s_always = ["SERVICE", "INSTANCE", "PID", "STATE", "RESTARTS", "UPTIME", "LAST"];

    public static void Write(StackSnapshot stack, Uri? gateway, TimeProvider time)
    {
        var rows = Rows(stack, time.GetUtcNow());
        var kept = Enumerable.Range(0, s_headers.Length)
            .Where(i => s_always.Contains(s_headers[i]) || rows.Any(r => r[i] is not ("" or "-")))
            .ToList();

        // A column of bare processes says nothing: it is the default.
        var runtime = Array.IndexOf(s_headers, "RUNTIME");
        if (rows.All(r => r[runtime] is "process" or "-"))
        {
            kept.Remove(runtime);
        }

        var table = new Table().Border(TableBorder.Rounded).Title($"stack [bold]{Markup.Escape(stack.Name)}[/]");
        foreach (var i in kept)
        {
            table.AddColumn(s_headers[i]);
        }

        foreach (var row in rows)
        {
            table.AddRow(kept.Select(i => i == Array.IndexOf(s_headers, "STATE") ? row[i] : Markup.Escape(row[i])).ToArray());
        }

        var console = CliConsole.Create();
        console.Write(table);
        if (gateway is not null)
        {
            console.MarkupLine($"gateway: [bold]{Markup.Escape(gateway.Display())}[/]");
        }
    }

    /// <summary>The cells of every row, in <see cref="s_headers"/> order; STATE already in markup, the rest plain.</summary>
    internal static List<string[]> Rows(StackSnapshot stack, DateTimeOffset now)
    {
        var rows = new List<string[]>();
        foreach (var service in stack.Services)
        {
            if (service.Replicas.Count == 0)
            {
                rows.Add([service.Name, "-", "-", "-", $"[grey]0/{service.Desired} replicas[/]", "-", "-", "-", "-", "-", "-", "", ""]);
            }

            foreach (var r in service.Replicas)
            {
                rows.Add(
                [
                    service.Name,
                    r.Id,
                    r.Pid?.ToString(CultureInfo.InvariantCulture) ?? "-",
                    r.Port > 0 ? r.Port.ToString(CultureInfo.InvariantCulture) : "-",
                    State(r.State),
                    r.Restarts.ToString(CultureInfo.InvariantCulture),
                    r.StartedAt is { } started && r.Pid is not null ? Durations.Format(TimeSpan.FromSeconds(Math.Round((now - started).TotalSeconds))) : "-",
                    r.Runtime ?? "-",
                    Cpu(r),
                    Of(r.Usage?.MemoryBytes is { } m ? Compact(m) : null, r.Limits?.MemoryBytes is { } l ? Compact(l) : null),
                    Of(r.Usage?.Pids.ToString(CultureInfo.InvariantCulture), r.Limits?.Pids?.ToString(CultureInfo.InvariantCulture)),
                    r.OomKills > 0 ? r.OomKills.ToString(CultureInfo.InvariantCulture) : "",
                    r.Message ?? string.Empty,
                ]);
            }
        }

        return rows;
    }

    private static string Cpu(ReplicaSnapshot r) =>
        Of(r.Usage is { } u ? u.CpuPercent.ToString("0.#", CultureInfo.InvariantCulture) + "%" : null, r.Limits?.Cpus?.ToString("0.##", CultureInfo.InvariantCulture));

    /// <summary>"used / limit", either alone, or "-".</summary>
    private static string Of(string? used, string? limit) => (used, limit) switch
    {
        (null, null) => "-",
        (_, null) => used!,
        (null, _) => "- / " + limit,
        _ => used + " / " + limit,
    };

    /// <summary>A size in few characters: 512K, 41M, 1.5G.</summary>
    internal static string Compact(long bytes)
    {
        string[] units = ["B", "K", "M", "G", "T"];
        double value = bytes;
        var unit = 0;
        while (value >= 1024 && unit < units.Length - 1)
        {
            value /= 1024;
            unit++;
        }

        return value.ToString(value < 10 && unit > 0 && value != Math.Floor(value) ? "0.#" : "0", CultureInfo.InvariantCulture) + units[unit];
    }

    private static string State(ReplicaState state) => state switch
    {
        ReplicaState.Healthy => "[green]healthy[/]",
        ReplicaState.Starting or ReplicaState.Pending or ReplicaState.Restarting => $"[yellow]{state.ToString().ToLowerInvariant()}[/]",
        ReplicaState.Failed or ReplicaState.Unhealthy => $"[red]{state.ToString().ToLowerInvariant()}[/]",
        _ => state.ToString().ToLowerInvariant(),
    };
}
