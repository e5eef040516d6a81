using System.Buffers.Binary;
using System.Net;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Logging;

namespace Shoal.Gateway.Limits;

/// <summary>Counts open connections per client address and turns away those over the limit.</summary>
internal sealed partial class ClientConnectionCounter(int perClient, IReadOnlyList<IPNetwork> exempt, TimeProvider time, ILogger logger)
{
    private static readonly TimeSpan s_logEvery = TimeSpan.FromSeconds(10);
    private readonly Dictionary<UInt128, int> _open = [];
    private readonly Lock _lock = new();
    private long _refusedSinceLog;
    private long _lastLog = long.MinValue;

    /// <summary>Open connections of the address with the most, for tests.</summary>
    internal int MaxOpen
    {
        get
        {
            lock (_lock)
            {
                return _open.Count == 0 ? 0 : _open.Values.Max();
            }
        }
    }

    public async Task RunAsync(ConnectionContext connection, ConnectionDelegate next)
    {
        if (connection.RemoteEndPoint is not IPEndPoint { Address: var address } || IsExempt(address))
        {
            await next(connection).ConfigureAwait(false);
            return;
        }

        var key = KeyOf(address);
        if (!TryEnter(key))
        {
            // Returning without running the pipeline closes the connection, as Kestrel's own connection cap does.
            Refused(address);
            return;
        }

        try
        {
            await next(connection).ConfigureAwait(false);
        }
        finally
        {
            Exit(key);
        }
    }

    internal bool TryEnter(UInt128 key)
    {
        lock (_lock)
        {
            _open.TryGetValue(key, out var open);
            if (open >= perClient)
            {
                return false;
            }

            _open[key] = open + 1;
            return true;
        }
    }

    internal void Exit(UInt128 key)
    {
        lock (_lock)
        {
            if (_open.TryGetValue(key, out var open) && open > 1)
            {
                _open[key] = open - 1;
            }
            else
            {
                _open.Remove(key);
            }
        }
    }

    /// <summary>An IPv4 address counts alone; an IPv6 address by its /64, which one host usually owns whole.</summary>
    internal static UInt128 KeyOf(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out var written);
        // IPv4 keys stay below 2^32; IPv6 keys carry 2^32 in their low half, so the two never meet.
        return written == 4
            ? BinaryPrimitives.ReadUInt32BigEndian(bytes)
            : new UInt128(BinaryPrimitives.ReadUInt64BigEndian(bytes), 1UL << 32);
    }

    private bool IsExempt(IPAddress address)
    {
        if (exempt.Count == 0)
        {
            return false;
        }

        var plain = address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
        foreach (var network in exempt)
        {
            if (network.Contains(plain))
            {
                return true;
            }
        }

        return false;
    }

    private void Refused(IPAddress address)
    {
        // A flood refuses thousands of connections a second: log how many, at most every ten seconds.
        var refused = Interlocked.Increment(ref _refusedSinceLog);
        var now = time.GetTimestamp();
        var last = Interlocked.Read(ref _lastLog);
        if ((last == long.MinValue || time.GetElapsedTime(last, now) >= s_logEvery) && Interlocked.CompareExchange(ref _lastLog, now, last) == last)
        {
            Interlocked.Add(ref _refusedSinceLog, -refused);
            Log.ClientOverLimit(logger, address, perClient, refused);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(2401, LogLevel.Warning, "Closed {Refused} new connection(s): client {Client} already holds {Limit}, the per-client connection limit")]
        public static partial void ClientOverLimit(ILogger logger, IPAddress client, int limit, long refused);
    }
}
