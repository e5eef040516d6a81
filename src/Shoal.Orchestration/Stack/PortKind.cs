namespace Shoal.Orchestration.Stack;

/// <summary>The kinds of <see cref="PortSpec"/>.</summary>
public enum PortKind
{
    /// <summary>No port.</summary>
    None,

    /// <summary>A free port per replica.</summary>
    Auto,

    /// <summary>A fixed port.</summary>
    Fixed,
}
