namespace Shoal.Functions.Configuration;

/// <summary>What happens to a warm instance between invocations (<c>idle:</c>).</summary>
public enum IdleMode
{
    /// <summary>It keeps running until <c>idle_timeout</c> stops it (the default).</summary>
    Stop,

    /// <summary>It is frozen (cgroup freezer, else SIGSTOP) shortly after it turns idle and thawed by its next invocation, as Lambda freezes its sandboxes.</summary>
    Freeze,
}
