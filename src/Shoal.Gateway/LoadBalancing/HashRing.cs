using System.IO.Hashing;
using System.Runtime.InteropServices;
using Shoal.Gateway.Model;

namespace Shoal.Gateway.LoadBalancing;

/// <summary>
/// A ketama-style consistent-hash ring: each instance owns <c>virtual nodes × weight</c> points placed by hashing its id,
/// so adding or removing one of N instances moves only the keys that land on its points (≈ 1/N), and every other key
/// keeps its instance. With a load bound c, a key whose instance already has more than c × the mean load in flight walks
/// on to the next instance on the ring (consistent hashing with bounded loads, Mirrokni et al. 2018).
/// </summary>
internal sealed class HashRing
{
    private readonly ulong[] _points;
    private readonly int[] _owners;
    private readonly IReadOnlyList<DestinationState> _destinations;

    private HashRing(ulong[] points, int[] owners, IReadOnlyList<DestinationState> destinations)
    {
        _points = points;
        _owners = owners;
        _destinations = destinations;
    }

    public static HashRing Build(IReadOnlyList<DestinationState> destinations, int virtualNodes)
    {
        var anyWeight = destinations.Any(d => d.Instance.Weight > 0);
        var points = new List<(ulong Point, int Owner)>();
        for (var i = 0; i < destinations.Count; i++)
        {
            var weight = anyWeight ? destinations[i].Instance.Weight : 1;
            var id = destinations[i].Id;
            for (var k = 0; k < virtualNodes * Math.Max(0, weight); k++)
            {
                points.Add((HashOf($"{id}#{k}"), i));
            }
        }

        points.Sort((a, b) => a.Point.CompareTo(b.Point));
        return new HashRing(points.Select(p => p.Point).ToArray(), points.Select(p => p.Owner).ToArray(), destinations);
    }

    public static ulong HashOf(ReadOnlySpan<char> key) => XxHash3.HashToUInt64(MemoryMarshal.AsBytes(key));

    public static ulong HashOf(ReadOnlySpan<byte> key) => XxHash3.HashToUInt64(key);

    /// <summary>The instance that owns <paramref name="hash"/>, or with a load bound the first one clockwise under it.</summary>
    public DestinationState? Pick(ulong hash, double? boundedLoad)
    {
        if (_points.Length == 0)
        {
            return null;
        }

        var start = Array.BinarySearch(_points, hash);
        if (start < 0)
        {
            start = ~start;
        }

        if (start == _points.Length)
        {
            start = 0;
        }

        var owner = _destinations[_owners[start]];
        if (boundedLoad is not { } c || _destinations.Count == 1)
        {
            return owner;
        }

        long total = 0;
        for (var i = 0; i < _destinations.Count; i++)
        {
            total += _destinations[i].ConcurrentRequestCount;
        }

        var capacity = Math.Ceiling(c * (total + 1) / _destinations.Count);
        for (var step = 0; step < _points.Length; step++)
        {
            var candidate = _destinations[_owners[(start + step) % _points.Length]];
            if (candidate.ConcurrentRequestCount < capacity)
            {
                return candidate;
            }
        }

        return owner;
    }
}
