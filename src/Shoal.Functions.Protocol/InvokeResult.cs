using System.Text.Json;

namespace Shoal.Functions.Agent.Protocol;

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
