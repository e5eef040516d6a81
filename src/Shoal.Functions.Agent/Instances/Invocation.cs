using System.Globalization;
using System.Security.Cryptography;
using Shoal.Functions.Agent.Protocol;

namespace Shoal.Functions.Agent.Instances;

/// <summary>One invocation handed to an instance, from the invoke request until the runtime answers.</summary>
internal sealed class Invocation(string requestId, ReadOnlyMemory<byte> payload, string traceId)
{
    // No RunContinuationsAsynchronously: whoever completes the invocation (the runtime's response on the endpoint's
    // I/O thread) runs the gateway's answer to its client on the same thread, without a hop through the thread pool.
    // Nothing completes it while holding a lock.
    private readonly TaskCompletionSource<InvokeResult> _outcome = new();
    private int _handed;

    public string RequestId { get; } = requestId;

    public ReadOnlyMemory<byte> Payload { get; } = payload;

    public string TraceId { get; } = traceId;

    /// <summary>Fires when the runtime is late: to take the event (init deadline), then to answer it (the timeout).</summary>
    public ITimer? Deadline { get; set; }

    /// <summary>True once the runtime took it (from <c>next</c>).</summary>
    public bool WasHanded => Volatile.Read(ref _handed) == 1;

    /// <summary>Completes with the outcome: the first of response, error, timeout or exit wins.</summary>
    public Task<InvokeResult> Outcome => _outcome.Task;

    /// <summary>A new X-Ray trace header (<c>Lambda-Runtime-Trace-Id</c>), stamped with the current time.</summary>
    public static string NewTraceId(TimeProvider time)
    {
        Span<byte> random = stackalloc byte[20];
        RandomNumberGenerator.Fill(random);
        var epoch = time.GetUtcNow().ToUnixTimeSeconds().ToString("x8", CultureInfo.InvariantCulture);
        return $"Root=1-{epoch}-{Convert.ToHexStringLower(random[..12])};Parent={Convert.ToHexStringLower(random[12..])};Sampled=0";
    }

    public void MarkHanded() => Volatile.Write(ref _handed, 1);

    /// <summary>Completes the invocation; false when it had already ended.</summary>
    public bool TryComplete(InvokeResult outcome)
    {
        Deadline?.Dispose();
        return _outcome.TrySetResult(outcome);
    }
}
