namespace Shoal.Gateway.Redis;

/// <summary>A Lua script run with EVALSHA: loaded (SCRIPT LOAD) on first use and again when Redis has forgotten it (a restart).</summary>
/// <param name="text">The Lua source.</param>
internal sealed class RedisScript(string text)
{
    public string Text { get; } = text;

    /// <summary>The SHA1 Redis knows the script by, once loaded; null before (or after a NOSCRIPT).</summary>
    public byte[]? Sha { get; set; }
}
