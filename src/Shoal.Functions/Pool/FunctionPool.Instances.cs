using Shoal.Functions.Telemetry;

namespace Shoal.Functions.Pool;

/// <summary>Instances: handing out an idle one or starting one (bounded by <c>concurrency.max</c>, else a bounded wait), releasing and destroying them.</summary>
public sealed partial class FunctionPool
{
    private async Task<PooledInstance> AcquireAsync(CancellationToken cancellationToken)
    {
        TaskCompletionSource<Lease> waiter;
        LinkedListNode<TaskCompletionSource<Lease>> node;
        PooledInstance? placeholder = null;
        lock (_lock)
        {
            if (_idle.TryPop(out var idle))
            {
                return idle;
            }

            if (_all.Count < Function.Concurrency.Max)
            {
                placeholder = NewPlaceholder();
            }
            else if (_waiters.Count >= Function.Concurrency.QueueDepth)
            {
                Interlocked.Increment(ref _throttled);
                AnnounceThrottled();
                throw new FunctionThrottledException($"Function {Function.Name} is at its concurrency limit ({Function.Concurrency.Max}) and {_waiters.Count} invocations are already waiting.");
            }

            waiter = new TaskCompletionSource<Lease>(TaskCreationOptions.RunContinuationsAsynchronously);
            node = placeholder is null ? _waiters.AddLast(waiter) : null!;
        }

        if (placeholder is not null)
        {
            return await StartOrReleaseAsync(placeholder, cancellationToken).ConfigureAwait(false);
        }

        Lease lease;
        var queued = FunctionTracing.StartQueueWait(Function.Name);
        try
        {
            lease = await waiter.Task.WaitAsync(Function.Concurrency.QueueTimeout, _time, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is TimeoutException or OperationCanceledException)
        {
            lock (_lock)
            {
                if (node.List is not null)
                {
                    _waiters.Remove(node);
                }
            }

            // Handed an instance just as the wait ended: give it back rather than lose it.
            if (waiter.Task.IsCompletedSuccessfully)
            {
                var late = waiter.Task.Result;
                if (late.MustStart)
                {
                    Release(late.Instance, alive: false);
                }
                else
                {
                    Release(late.Instance, alive: true);
                }
            }

            if (ex is OperationCanceledException)
            {
                throw;
            }

            Interlocked.Increment(ref _throttled);
            AnnounceThrottled();
            throw new FunctionThrottledException($"Function {Function.Name} had no free instance within {Function.Concurrency.QueueTimeout.TotalSeconds:0.###} s (concurrency limit {Function.Concurrency.Max}).", ex);
        }
        finally
        {
            queued?.Dispose();
        }

        return lease.MustStart ? await StartOrReleaseAsync(lease.Instance, cancellationToken).ConfigureAwait(false) : lease.Instance;
    }

    private async Task<PooledInstance> StartOrReleaseAsync(PooledInstance placeholder, CancellationToken cancellationToken)
    {
        using var span = FunctionTracing.StartColdStart(Function.Name, placeholder.Id);
        try
        {
            await StartAsync(placeholder, CancellationToken.None).WaitAsync(cancellationToken).ConfigureAwait(false);
            Metrics?.OnColdStart(Function.Name);
            return placeholder;
        }
        catch (OperationCanceledException)
        {
            // The start goes on without this caller; the instance joins the idle ones if it comes up.
            _ = FinishAbandonedStartAsync(placeholder);
            throw;
        }
        catch (FunctionStartException ex)
        {
            // The client gets a 502 without the reason (it is the platform's business); the operator reads it here.
            LogStartFailed(Function.Name, placeholder.Id, ex.Message);
            Release(placeholder, alive: false);
            throw;
        }
    }

    private async Task FinishAbandonedStartAsync(PooledInstance placeholder)
    {
        try
        {
            await placeholder.Starting!.ConfigureAwait(false);
            Release(placeholder, alive: true);
        }
        catch (FunctionStartException)
        {
            Release(placeholder, alive: false);
        }
    }

    private Task StartAsync(PooledInstance instance, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            return instance.Starting ??= StartCoreAsync(instance, cancellationToken);
        }
    }

    private async Task StartCoreAsync(PooledInstance instance, CancellationToken cancellationToken)
    {
        var started = await _agent.EnsureAsync(instance.Id, Function, _owner, cancellationToken).ConfigureAwait(false);
        Interlocked.Increment(ref _started);
        lock (_lock)
        {
            instance.InvokeUrl = started.InvokeUrl;
        }

        LogStarted(Function.Name, instance.Id, started.Pid);
    }

    /// <summary>Returns an instance after an invocation: to the first waiter, else to the idle stack; a dead one is destroyed.</summary>
    private void Release(PooledInstance instance, bool alive)
    {
        var now = _time.GetUtcNow();
        var destroy = false;
        lock (_lock)
        {
            if (!_all.ContainsKey(instance.Id))
            {
                // Drained or swept meanwhile.
                destroy = true;
            }
            else
            {
                if (alive && now - instance.StartedAt >= Function.MaxLifetime)
                {
                    alive = false;
                }

                instance.LastUsed = now;
                if (!alive)
                {
                    _all.Remove(instance.Id);
                    destroy = true;
                }

                Lease? lease = alive ? new Lease(instance, MustStart: false) : null;
                while (_waiters.First is { } first)
                {
                    _waiters.RemoveFirst();

                    // A dead instance frees a slot: the first waiter starts a new one in it.
                    lease ??= new Lease(NewPlaceholder(), MustStart: true);
                    if (first.Value.TrySetResult(lease.Value))
                    {
                        lease = null;
                        break;
                    }
                }

                if (lease is { MustStart: false } unused)
                {
                    _idle.Push(unused.Instance);
                }
                else if (lease is { MustStart: true } unusedSlot)
                {
                    _all.Remove(unusedSlot.Instance.Id);
                }
            }
        }

        if (destroy)
        {
            _ = DestroyQuietlyAsync(instance.Id, CancellationToken.None);
        }
    }

    private PooledInstance NewPlaceholder()
    {
        var sequence = Interlocked.Increment(ref _sequence);
        var id = $"{_owner}.{Function.Name}.{_time.GetUtcNow().ToUnixTimeMilliseconds():x}{sequence:x}";
        var now = _time.GetUtcNow();
        var instance = new PooledInstance(id, now) { LastUsed = now };
        _all.Add(id, instance);
        return instance;
    }

    private async Task DestroyQuietlyAsync(string id, CancellationToken cancellationToken)
    {
        try
        {
            await _agent.DestroyAsync(id, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            LogDestroyFailed(id, ex.Message);
        }
    }
}
