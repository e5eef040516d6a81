using System.Text.Json;

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

/// <summary>The outcome of an invocation, as the instance's endpoint reports it to the gateway.</summary>
/// <param name="Kind">How it ended.</param>
/// <param name="Payload">The function's result, or its error document (<c>errorMessage</c>, <c>errorType</c>).</param>
/// <param name="InstanceGone">True when the instance cannot take another invocation.</param>
/// <param name="NotRun">True when the event never reached the function (the instance was already dead), so it may go to another.</param>
public sealed record InvokeResult(InvokeResultKind Kind, ReadOnlyMemory<byte> Payload, bool InstanceGone, bool NotRun = false)
{
    /// <summary>True unless the function succeeded.</summary>
    public bool IsError => Kind != InvokeResultKind.Success;

    /// <summary>The <c>errorType</c> of an error document, else null.</summary>
    public string? ErrorType => Field("errorType");

    /// <summary>The <c>errorMessage</c> of an error document, else null.</summary>
    public string? ErrorMessage => Field("errorMessage");

    /// <summary>The result when an instance did not answer within the caller's limit; the instance is treated as gone.</summary>
    public static InvokeResult NoAnswer => Error(InvokeResultKind.Timeout, "Sandbox.Timedout", "The instance did not answer in time.", instanceGone: true);

    /// <summary>A failure with Lambda's error document.</summary>
    public static InvokeResult Error(InvokeResultKind kind, string errorType, string message, bool instanceGone, bool notRun = false) =>
        new(kind, ErrorDocument(errorType, message), instanceGone, notRun);

    /// <summary>Lambda's error document: <c>{"errorMessage": …, "errorType": …}</c>.</summary>
    public static byte[] ErrorDocument(string errorType, string message)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("errorMessage", message);
            writer.WriteString("errorType", errorType);
            writer.WriteEndObject();
        }

        return buffer.ToArray();
    }

    private string? Field(string name)
    {
        if (!IsError)
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(Payload);
            return document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}

/// <summary>Sends one invocation to an instance.</summary>
public interface IInstanceInvoker
{
    /// <summary>Invokes; failures to reach the instance come back as a <see cref="InvokeResultKind.Crash"/> with the instance gone.</summary>
    /// <param name="instanceId">The instance, as the agent named it.</param>
    /// <param name="invokeUrl">Its endpoint, as the agent reported it.</param>
    /// <param name="requestId">The invocation's request id.</param>
    /// <param name="payload">The event.</param>
    /// <param name="limit">How long to wait at most; past it the result is a timeout with the instance gone.</param>
    /// <param name="cancellationToken">Abandons the wait.</param>
    Task<InvokeResult> InvokeAsync(string instanceId, string invokeUrl, string requestId, ReadOnlyMemory<byte> payload, TimeSpan limit, CancellationToken cancellationToken);
}

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
