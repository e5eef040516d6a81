using System.Net;

namespace Shoal.Functions.Agent.Instances;

/// <summary>
/// The agent's <see cref="RuntimeApiListener"/>s, one per address, shared by the instances on it. Loopback's stays open
/// once opened (the next cold start finds it ready); another address's (the host's side of an isolated instance's
/// bridge, which goes away with its lease) closes with its last instance.
/// </summary>
internal sealed class RuntimeApiListeners : IAsyncDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Dictionary<IPAddress, Entry> _open = [];
    private bool _disposed;

    /// <summary>The listener on <paramref name="address"/>, opened if none is; give it back with <see cref="ReleaseAsync"/>.</summary>
    public async Task<RuntimeApiListener> AcquireAsync(IPAddress address, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (!_open.TryGetValue(address, out var entry))
            {
                entry = new Entry(await RuntimeApiListener.StartAsync(address, cancellationToken).ConfigureAwait(false));
                _open[address] = entry;
            }

            entry.Users++;
            return entry.Listener;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>One instance less on <paramref name="address"/>.</summary>
    public async Task ReleaseAsync(IPAddress address)
    {
        RuntimeApiListener? close = null;
        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            if (_open.TryGetValue(address, out var entry) && --entry.Users == 0 && !IPAddress.IsLoopback(address))
            {
                _open.Remove(address);
                close = entry.Listener;
            }
        }
        finally
        {
            _gate.Release();
        }

        if (close is not null)
        {
            await close.DisposeAsync().ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        List<RuntimeApiListener> close;
        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            _disposed = true;
            close = [.. _open.Values.Select(e => e.Listener)];
            _open.Clear();
        }
        finally
        {
            _gate.Release();
        }

        foreach (var listener in close)
        {
            await listener.DisposeAsync().ConfigureAwait(false);
        }
    }

    private sealed class Entry(RuntimeApiListener listener)
    {
        public RuntimeApiListener Listener { get; } = listener;

        public int Users { get; set; }
    }
}
