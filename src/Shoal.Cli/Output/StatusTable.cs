using Shoal.Orchestration.Lifecycle;
using Shoal.Text;
using Spectre.Console;

namespace Shoal.Cli.Output;

/// <summary>Renders a stack snapshot as the table <c>up</c>, <c>ps</c> and <c>scale</c> print.</summary>
internal static class StatusTable
{
    public static void Write(StackSnapshot stack, Uri? gateway, TimeProvider time)
    {
        var table = new Table().Border(TableBorder.Rounded).Title($"stack [bold]{Markup.Escape(stack.Name)}[/]");
        foreach (var column in new[] { "SERVICE", "INSTANCE", "PID", "PORT", "STATE", "RESTARTS", "UPTIME", "LAST" })
        {
            table.AddColumn(column);
        }

        var now = time.GetUtcNow();
        foreach (var service in stack.Services)
        {
            if (service.Replicas.Count == 0)
            {
                table.AddRow(Markup.Escape(service.Name), "-", "-", "-", $"[grey]0/{service.Desired} replicas[/]", "-", "-", "-");
            }

            foreach (var r in service.Replicas)
            {
                table.AddRow(
                    Markup.Escape(service.Name),
                    Markup.Escape(r.Id),
                    r.Pid?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "-",
                    r.Port > 0 ? r.Port.ToString(System.Globalization.CultureInfo.InvariantCulture) : "-",
                    State(r.State),
                    r.Restarts.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    r.StartedAt is { } started && r.Pid is not null ? Durations.Format(TimeSpan.FromSeconds(Math.Round((now - started).TotalSeconds))) : "-",
                    Markup.Escape(r.Message ?? string.Empty));
            }
        }

        AnsiConsole.Write(table);
        if (gateway is not null)
        {
            AnsiConsole.MarkupLine($"gateway: [bold]{Markup.Escape(gateway.Display())}[/]");
        }
    }

    private static string State(ReplicaState state) => state switch
    {
        ReplicaState.Healthy => "[green]healthy[/]",
        ReplicaState.Starting or ReplicaState.Pending or ReplicaState.Restarting => $"[yellow]{state.ToString().ToLowerInvariant()}[/]",
        ReplicaState.Failed or ReplicaState.Unhealthy => $"[red]{state.ToString().ToLowerInvariant()}[/]",
        _ => state.ToString().ToLowerInvariant(),
    };
}
