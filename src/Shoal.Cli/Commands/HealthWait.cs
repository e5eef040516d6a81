using Shoal.Orchestration.Lifecycle;
using Shoal.Text;

namespace Shoal.Cli.Commands;

/// <summary>Polls a stack until every service is healthy, one fails, the daemon dies, or time runs out.</summary>
internal static class HealthWait
{
    public sealed record Outcome(bool Healthy, StackSnapshot? Snapshot, string? Reason);

    /// <param name="poll">The stack's snapshot, or null when there is none to be had.</param>
    /// <param name="daemonGone">True once the daemon has exited.</param>
    /// <param name="timeout">How long to wait.</param>
    /// <param name="cancellationToken">Ends the wait.</param>
    /// <param name="unanswered">Why the last poll got no snapshot (e.g. a refused token), for the message when none ever came.</param>
    public static async Task<Outcome> WaitAsync(Func<CancellationToken, Task<StackSnapshot?>> poll, Func<bool> daemonGone, TimeSpan timeout, CancellationToken cancellationToken, Func<string?>? unanswered = null)
    {
        var deadline = TimeProvider.System.GetUtcNow() + timeout;
        StackSnapshot? last = null;
        while (!cancellationToken.IsCancellationRequested)
        {
            last = await poll(cancellationToken) ?? last;
            if (last is { IsHealthy: true })
            {
                return new Outcome(true, last, null);
            }

            if (last?.Services.FirstOrDefault(s => s.Failure is not null) is { } failed)
            {
                var replica = failed.Failure!;
                return new Outcome(false, last, $"service '{failed.Name}' failed: {replica.Id}: {replica.Message}");
            }

            if (daemonGone())
            {
                return new Outcome(false, last, "the stack daemon exited before the stack became healthy");
            }

            if (TimeProvider.System.GetUtcNow() > deadline)
            {
                var waiting = last?.Services.Where(s => !s.IsHealthy)
                    .Select(s => $"{s.Name} ({string.Join(", ", s.Replicas.Where(r => r.State != ReplicaState.Healthy).Select(r => $"{r.Id}: {r.State.ToString().ToLowerInvariant()}, {r.Message}"))})");
                return new Outcome(false, last, $"not healthy after {Durations.Format(timeout)}: {string.Join("; ", waiting ?? [unanswered?.Invoke() ?? "the admin API never answered"])}");
            }

            try
            {
                await Task.Delay(TimeSpan.FromMilliseconds(100), TimeProvider.System, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }

        return new Outcome(false, last, "interrupted");
    }
}
