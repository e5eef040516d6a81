namespace Shoal.Functions.Agent.Protocol;

/// <summary>How an invocation ended.</summary>
public enum InvokeResultKind
{
    /// <summary>The runtime posted a response.</summary>
    Success,

    /// <summary>The runtime posted an error (the handler failed).</summary>
    HandlerError,

    /// <summary>It ran past the function's timeout; the instance was killed.</summary>
    Timeout,

    /// <summary>The runtime process died while it ran (or before it took it), or could not be reached.</summary>
    Crash,

    /// <summary>The runtime reported an init error, or never asked for an invocation within the init timeout.</summary>
    InitError,
}
