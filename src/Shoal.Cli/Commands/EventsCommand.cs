using System.CommandLine;
using System.Globalization;
using System.Net.ServerSentEvents;
using System.Text.Json;
using Shoal.Cli.Hosting;
using Shoal.Hosting;

namespace Shoal.Cli.Commands;

/// <summary>
/// <c>shoal events</c>: the platform's event stream (<c>GET /v1/events</c>), one line per event, followed until Ctrl-C;
/// a dropped connection resumes after the last id it printed, as a browser's EventSource would.
/// </summary>
internal static class EventsCommand
{
    private static readonly TimeSpan s_reconnect = TimeSpan.FromSeconds(1);

    public static Command Create()
    {
        var file = CommonOptions.File();
        var types = new Option<string?>("--types") { Description = "Only these event types, comma-separated (instance.restarted,function.*)." };
        var after = new Option<long?>("--after") { Description = "Start after this event id (0: everything the daemon still keeps); default: new events only." };
        var json = new Option<bool>("--json") { Description = "Print each event's JSON as the stream sends it." };
        var command = new Command("events", "Print the platform's events (instance started, restarted, ejected; deployments; function cold starts) as they happen.") { file, types, after, json };
        command.SetAction((result, ct) => CommandRunner.RunAsync(async () =>
        {
            var (state, _) = RunningStack.Connect(result.GetValue(file));
            var directory = StackFiles.StateDirectory(result.GetValue(file));
            using var http = AdminClient.CreateHttp(new Uri(state.Admin), AdminTokenFile.Reader(StackFiles.AdminToken(result.GetValue(file)), directory), AdminSocket.PathIn(directory), Timeout.InfiniteTimeSpan);
            var query = result.GetValue(types) is { } t ? "?types=" + Uri.EscapeDataString(t) : "";
            string? last = result.GetValue(after)?.ToString(CultureInfo.InvariantCulture);
            while (!ct.IsCancellationRequested)
            {
                try
                {
                    last = await PrintAsync(http, query, last, result.GetValue(json), ct);
                }
                catch (OperationCanceledException) when (ct.IsCancellationRequested)
                {
                    break;
                }
                catch (Exception ex) when (ex is HttpRequestException or IOException)
                {
                    Console.Error.WriteLine($"events: {ex.Message}; reconnecting");
                }

                try
                {
                    await Task.Delay(s_reconnect, TimeProvider.System, ct);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }

            return 0;
        }));
        return command;
    }

    /// <summary>Prints the stream until it ends; returns the last id seen, to resume after.</summary>
    private static async Task<string?> PrintAsync(HttpClient http, string query, string? last, bool json, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/events" + query);
        if (last is not null)
        {
            request.Headers.TryAddWithoutValidation("Last-Event-ID", last);
        }

        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw new CliException($"GET /v1/events: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(cancellationToken)}");
        }

        await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
        var parser = SseParser.Create(body);
        await foreach (var item in parser.EnumerateAsync(cancellationToken))
        {
            last = parser.LastEventId is { Length: > 0 } id ? id : last;
            Console.WriteLine(json ? item.Data : Describe(item));
        }

        return last;
    }

    private static string Describe(SseItem<string> item)
    {
        using var doc = JsonDocument.Parse(item.Data);
        var e = doc.RootElement;
        string? Text(string name) => e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
        var subject = string.Join(' ', new[] { Text("service") ?? Text("function"), Text("instance"), Text("version") is { } v ? "v" + v : null }.Where(s => s is not null));
        return $"{Text("time")} {item.EventType,-22} {subject}{(Text("message") is { } m ? ": " + m : "")}";
    }
}
