using Shoal.Utilities;

namespace Shoal.Core.Tests.Utilities;

public sealed class ChangeSignalTests
{
    [Fact]
    public async Task WaitUntil_AChangeBetweenTheCheckAndTheWait_IsNotLost()
    {
        var signal = new ChangeSignal();
        var checks = 0;

        // The state changes while the condition is being checked (after it was read as false), and never again.
        var waiting = signal.WaitUntilAsync(() =>
        {
            if (++checks == 1)
            {
                signal.Notify();
                return false;
            }

            return true;
        }, CancellationToken.None);

        var finished = await Task.WhenAny(waiting, Task.Delay(TimeSpan.FromSeconds(10)));
        Assert.Same(waiting, finished);
        Assert.Equal(2, checks);
    }

    [Fact]
    public async Task WaitUntil_ConditionAlreadyTrue_ReturnsWithoutAChange()
    {
        var signal = new ChangeSignal();
        await signal.WaitUntilAsync(() => true, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task WaitUntil_WakesOnlyOnceTheConditionHolds()
    {
        var signal = new ChangeSignal();
        var value = 0;
        var waiting = signal.WaitUntilAsync(() => Volatile.Read(ref value) >= 2, CancellationToken.None);

        Volatile.Write(ref value, 1);
        signal.Notify();
        await Task.Yield();
        Assert.False(waiting.IsCompleted);

        Volatile.Write(ref value, 2);
        signal.Notify();
        await waiting.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task WaitUntil_Cancelled_Throws()
    {
        var signal = new ChangeSignal();
        using var cts = new CancellationTokenSource();
        var waiting = signal.WaitUntilAsync(() => false, cts.Token);
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting);
    }
}
