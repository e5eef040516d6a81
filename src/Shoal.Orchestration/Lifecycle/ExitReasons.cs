namespace Shoal.Orchestration.Lifecycle;

/// <summary>Why a replica's last process ended, as <see cref="ReplicaSnapshot.LastExitReason"/> says it.</summary>
public static class ExitReasons
{
    /// <summary>The kernel killed it at its memory limit.</summary>
    public const string OomKilled = "oom-killed";

    /// <summary>It ended with an exit code of its own.</summary>
    public const string Exited = "exited";

    /// <summary>A signal ended it (exit code 128 + the signal).</summary>
    public const string Signaled = "signaled";

    /// <summary>The reason for an exit with <paramref name="exitCode"/>.</summary>
    public static string Of(int exitCode, bool oomKilled) => oomKilled ? OomKilled : exitCode > 128 ? Signaled : Exited;
}
