using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Shoal.Gateway.Configuration;
using Shoal.Gateway.Telemetry;
using Shoal.Testing;
using Shoal.Testing.Telemetry;

namespace Shoal.Gateway.Tests.Telemetry;

/// <summary>The access log's lines and its writer: whole lines, in order, and drops counted instead of waits.</summary>
public sealed class AccessLogTests
{
    private static readonly TimeSpan s_wait = TimeSpan.FromSeconds(10);

    private static AccessLogEntry Entry(string path = "/api/orders", string query = "?id=7", string? userAgent = "curl/8") => new()
    {
        Time = new DateTimeOffset(2026, 12, 1, 6, 30, 15, 123, TimeSpan.Zero),
        Started = 0,
        Method = "GET",
        Path = path,
        Query = query,
        Protocol = "HTTP/1.1",
        RemoteAddress = "127.0.0.1",
        UserAgent = userAgent,
        Status = 503,
        Bytes = 42,
        DurationMs = 1.23456,
        Service = "orders",
        Instance = "orders-2",
        Attempts = 2,
        TraceId = "4bf92f3577b34da6a3ce929d0e0e4736",
    };

    [Fact]
    public void Json_OneObjectPerLine_WithEveryField()
    {
        using var output = new MemoryStream();
        using var json = new Utf8JsonWriter(Stream.Null);

        AccessLogFormatter.WriteJson(Entry(), json, output);

        var text = Encoding.UTF8.GetString(output.ToArray());
        Assert.EndsWith("}\n", text, StringComparison.Ordinal);
        Assert.Single(text.TrimEnd('\n').Split('\n'));
        using var line = JsonDocument.Parse(text);
        var root = line.RootElement;
        Assert.Equal("2026-12-01T06:30:15.123Z", root.GetProperty("time").GetString());
        Assert.Equal("/api/orders", root.GetProperty("path").GetString());
        Assert.Equal("?id=7", root.GetProperty("query").GetString());
        Assert.Equal(503, root.GetProperty("status").GetInt32());
        Assert.Equal(42, root.GetProperty("bytes").GetInt64());
        Assert.Equal(1.235, root.GetProperty("duration_ms").GetDouble());
        Assert.Equal("orders-2", root.GetProperty("instance").GetString());
        Assert.Equal(2, root.GetProperty("attempts").GetInt32());
        Assert.Equal("4bf92f3577b34da6a3ce929d0e0e4736", root.GetProperty("trace_id").GetString());
    }

    [Fact]
    public void Combined_ApacheFieldsThenShoals_AndAClientsQuotesCannotBreakTheLine()
    {
        var line = AccessLogFormatter.Combined(Entry(path: "/a\"b", query: "", userAgent: "evil\" 200 \"x\nforged"));

        Assert.Equal(
            "127.0.0.1 - - [01/Dec/2026:06:30:15 +0000] \"GET /a\\x22b HTTP/1.1\" 503 42 \"-\" \"evil\\x22 200 \\x22x\\x0Aforged\" service=orders instance=orders-2 attempts=2 duration_ms=1.235 trace_id=4bf92f3577b34da6a3ce929d0e0e4736\n",
            line);
    }

    [Fact]
    public async Task Writer_WholeLinesInOrder_VisibleWithoutWaitingForABufferToFill()
    {
        using var output = new MemoryStream();
        var writer = new AccessLogWriter(new AccessLogSettings { Path = "test" }, GatewayMetrics.Disabled, NullLogger.Instance, new KeepOpen(output));
        for (var i = 0; i < 100; i++)
        {
            writer.Write(Entry(query: $"?n={i}"));
        }

        await Poll.UntilAsync(() => Lines(output).Length == 100, s_wait, "100 lines");
        await writer.DisposeAsync();
        Assert.Equal(Enumerable.Range(0, 100).Select(i => $"?n={i}"), Lines(output).Select(l => JsonDocument.Parse(l).RootElement.GetProperty("query").GetString()));
    }

    [Fact]
    public async Task Writer_Stuck_NewLinesDroppedAndCounted_TheRequestNeverWaits()
    {
        using var metrics = new GatewayMetrics(new GatewayOptions(), TimeProvider.System);
        using var recorded = new MeterRecorder(metrics.Meter!);
        var stuck = new StuckStream();
        var writer = new AccessLogWriter(new AccessLogSettings { Path = "test", Buffer = 16 }, metrics, NullLogger.Instance, stuck);
        writer.Write(Entry());
        await stuck.Entered.Task.WaitAsync(s_wait);

        // The writer holds one entry in a write that does not return: 16 fit in the channel, the rest are dropped at once.
        for (var i = 0; i < 50; i++)
        {
            writer.Write(Entry());
        }

        Assert.Equal(34, writer.Dropped);
        Assert.Equal(34, recorded.Sum("shoal.gateway.access_log.dropped"));
        stuck.Release.SetResult();
        await writer.DisposeAsync().AsTask().WaitAsync(s_wait);
    }

    private static string[] Lines(MemoryStream output)
    {
        lock (output)
        {
            return Encoding.UTF8.GetString(output.ToArray()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        }
    }

    /// <summary>Lets the test read what was written after the writer disposed its stream.</summary>
    private sealed class KeepOpen(MemoryStream inner) : MemoryStream
    {
        public override void Write(ReadOnlySpan<byte> buffer)
        {
            lock (inner)
            {
                inner.Write(buffer);
            }
        }

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));
    }

    /// <summary>A disk that stops answering: the first write blocks until released.</summary>
    private sealed class StuckStream : MemoryStream
    {
        public TaskCompletionSource Entered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            Entered.TrySetResult();
            Release.Task.Wait();
        }

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));
    }
}
