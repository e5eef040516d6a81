namespace Shoal.Samples.App.Events;

/// <summary>Events written in the same transaction as the transfer they describe, kept until they are published.</summary>
public interface IOutbox
{
    /// <summary>
    /// Takes up to <paramref name="max"/> events, oldest first, hands them to <paramref name="publish"/> and deletes them
    /// once it returned (not when it threw); returns how many. Events another replica is publishing at the time are skipped.
    /// </summary>
    Task<int> DrainAsync(int max, Func<IReadOnlyList<TransferCompleted>, CancellationToken, Task> publish, CancellationToken cancellationToken);
}
