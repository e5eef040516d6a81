using Shoal.Gateway.Model;

namespace Shoal.Gateway.Telemetry;

/// <summary>
/// One request's access log line, filled in as the request goes (a request feature, so the handler can note each
/// attempt) and formatted later on the writer's thread.
/// </summary>
internal sealed class AccessLogEntry
{
    public required DateTimeOffset Time { get; init; }

    public required long Started { get; init; }

    public required string Method { get; init; }

    public required string Path { get; init; }

    public required string Query { get; init; }

    public required string Protocol { get; init; }

    public string? RemoteAddress { get; init; }

    public string? UserAgent { get; init; }

    public string? Referer { get; init; }

    public int Status { get; set; }

    public long Bytes { get; set; }

    public double DurationMs { get; set; }

    /// <summary>The service routed to, or null when no service route matched (a 404, a function).</summary>
    public string? Service { get; set; }

    /// <summary>The instance of the last attempt, or null when none was tried.</summary>
    public string? Instance { get; set; }

    public int Attempts { get; set; }

    public string? TraceId { get; set; }

    /// <summary>Notes an attempt at <paramref name="destination"/> (null: none could take it).</summary>
    public void OnAttempt(ClusterState cluster, DestinationState? destination)
    {
        Service = cluster.Service;
        if (destination is not null)
        {
            Attempts++;
            Instance = destination.Id;
        }

        // The gateway's span is current while it forwards; after the request it may be gone.
        if (System.Diagnostics.Activity.Current is { } activity)
        {
            TraceId = activity.TraceId.ToHexString();
        }
    }
}
