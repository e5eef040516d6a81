namespace Shoal.Gateway.Redis;

/// <summary>A <c>redis:</c> value of the stack file and where it is written, to check that a name is one of the stack's services.</summary>
/// <param name="Name">The value: a service name or <c>host:port</c>.</param>
/// <param name="Field">Its field path, for messages.</param>
/// <param name="Line">Its line.</param>
/// <param name="Column">Its column.</param>
public sealed record RedisReference(string Name, string Field, int Line, int Column)
{
    /// <summary>Whether the value is an address (<c>host:port</c>) rather than a service name.</summary>
    public bool IsAddress => Name.Contains(':', StringComparison.Ordinal);
}
