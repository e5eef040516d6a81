using System.Text;

namespace Shoal.Bench.Transport;

/// <summary>Turns counted values into strings once: the few distinct instance names cost no allocation per response.</summary>
internal sealed class KeyCache
{
    /// <summary>Distinct values kept before the rest are lumped together.</summary>
    public const int MaxKeys = 1000;

    /// <summary>The key of values past <see cref="MaxKeys"/>.</summary>
    public const string Other = "(other)";

    private readonly List<(byte[] Bytes, string Value)> _keys = [];

    public string Get(ReadOnlySpan<byte> value)
    {
        foreach (var (bytes, text) in _keys)
        {
            if (value.SequenceEqual(bytes))
            {
                return text;
            }
        }

        if (_keys.Count >= MaxKeys)
        {
            return Other;
        }

        var key = Encoding.UTF8.GetString(value);
        _keys.Add((value.ToArray(), key));
        return key;
    }
}
