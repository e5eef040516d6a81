namespace Shoal.Orchestration.Stack;

/// <summary>When to restart a replica that exited.</summary>
public enum RestartMode
{
    /// <summary>Whatever its exit code.</summary>
    Always,

    /// <summary>Only on a non-zero exit code or a signal.</summary>
    OnFailure,

    /// <summary>Never.</summary>
    Never,
}
