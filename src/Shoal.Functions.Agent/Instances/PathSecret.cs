using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace Shoal.Functions.Agent.Instances;

/// <summary>
/// A random path prefix (160 bits, lowercase hex) that an instance's endpoint requires in front of a path: whoever does
/// not know it gets the same 404 as for a path that does not exist. On the agent's shared listener it also names the
/// instance (see <see cref="RuntimeApiListener"/>). One for the runtime (inside
/// <c>AWS_LAMBDA_RUNTIME_API</c>, so an unmodified runtime sends it), one for invocations (inside the invoke URL, known
/// to the agent and its gateway only).
/// </summary>
internal sealed class PathSecret
{
    private const int Bytes = 20;

    public PathSecret() => Value = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(Bytes));

    /// <summary>The secret as it appears in the path (without slashes).</summary>
    public string Value { get; }

    /// <summary>
    /// True when <paramref name="path"/> is <c>/SECRET/…</c>; <paramref name="rest"/> is then what follows the secret,
    /// starting with its slash. The secret is compared in constant time.
    /// </summary>
    public bool TryStrip(string path, out string rest)
    {
        rest = "";
        if (path.Length < 2 || path[0] != '/')
        {
            return false;
        }

        var end = path.IndexOf('/', 1);
        if (end < 0)
        {
            return false;
        }

        var given = path.AsSpan(1, end - 1);
        if (!CryptographicOperations.FixedTimeEquals(MemoryMarshal.AsBytes(given), MemoryMarshal.AsBytes(Value.AsSpan())))
        {
            return false;
        }

        rest = path[end..];
        return true;
    }
}
