using System.Globalization;
using Shoal.Functions.Pool;
using Spectre.Console;

namespace Shoal.Cli.Output;

/// <summary>Renders the functions' pools as the table <c>ps</c> prints under the services.</summary>
internal static class FunctionTable
{
    public static void Write(IReadOnlyList<PoolSnapshot> pools)
    {
        var table = new Table().Border(TableBorder.Rounded).Title("[bold]functions[/]");
        table.AddColumn(new TableColumn("FUNCTION").NoWrap());
        foreach (var column in new[] { "TOTAL", "IDLE", "BUSY", "START", "WAIT", "STARTED", "429" })
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
                p.Throttled.ToString(CultureInfo.InvariantCulture));
        }

        AnsiConsole.Write(table);
    }

    private static string Count(int value) => value.ToString(CultureInfo.InvariantCulture);
}
