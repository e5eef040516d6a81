namespace Shoal.Functions.Agent.Protocol;

/// <summary>
/// The HTTP form of an invocation, which an instance's endpoint serves on the Runtime Interface Emulator's path: the
/// event is the request body, the result the response body, and these headers say how it ended.
/// </summary>
public static class InstanceInvokeHttp
{
    /// <summary>The path the gateway posts invocations to (the Runtime Interface Emulator's).</summary>
    public const string Path = "/2015-03-31/functions/function/invocations";

    /// <summary>The request header carrying the request id the gateway chose.</summary>
    public const string RequestIdHeader = "X-Shoal-Request-Id";

    /// <summary>The response header saying how a failed invocation failed (<see cref="InvokeResultKind"/>, see <see cref="KindName"/>).</summary>
    public const string ErrorKindHeader = "X-Shoal-Error-Kind";

    /// <summary>The response header set to <c>exited</c> when the instance cannot take another invocation.</summary>
    public const string InstanceStateHeader = "X-Shoal-Instance-State";

    /// <summary>The response header present when the event never reached the function.</summary>
    public const string NotRunHeader = "X-Shoal-Not-Run";

    /// <summary>The name of a failure kind in <see cref="ErrorKindHeader"/>.</summary>
    public static string KindName(InvokeResultKind kind) => kind switch
    {
        InvokeResultKind.HandlerError => "handler",
        InvokeResultKind.Timeout => "timeout",
        InvokeResultKind.Crash => "crash",
        InvokeResultKind.InitError => "init",
        _ => "",
    };

    /// <summary>The failure kind a <see cref="ErrorKindHeader"/> names.</summary>
    public static InvokeResultKind ParseKind(string? name) => name switch
    {
        "handler" => InvokeResultKind.HandlerError,
        "timeout" => InvokeResultKind.Timeout,
        "crash" => InvokeResultKind.Crash,
        _ => InvokeResultKind.InitError,
    };
}
