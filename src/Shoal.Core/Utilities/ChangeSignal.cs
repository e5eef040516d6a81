namespace Shoal.Utilities;

/// <summary>
/// Wakes waiters when something changed. A waiter takes the signal before it looks at the state, so a change that
/// lands between the look and the wait is never lost.
/// </summary>
public sealed class ChangeSignal
{
    private TaskCompletionSource _next = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes at the first change after it was read.</summary>
    public Task Next => Volatile.Read(ref _next).Task;

    /// <summary>Releases everyone waiting on <see cref="Next"/>.</summary>
    public void Notify() =>
        Interlocked.Exchange(ref _next, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();

    /// <summary>Completes once <paramref name="condition"/> holds, checked at the start and after every change.</summary>
    public async Task WaitUntilAsync(Func<bool> condition, CancellationToken cancellationToken)
    {
        while (true)
        {
            var next = Next;
            if (condition())
            {
                return;
            }

            await next.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }
}
