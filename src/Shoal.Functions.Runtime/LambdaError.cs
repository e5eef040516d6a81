using System.Text.Json.Serialization;

namespace Shoal.Functions.Runtime;

/// <summary>The body of <c>/invocation/{id}/error</c> and <c>/init/error</c>.</summary>
internal sealed class LambdaError
{
    /// <summary>The exception's message.</summary>
    [JsonPropertyName("errorMessage")]
    public string ErrorMessage { get; init; } = string.Empty;

    /// <summary>The exception's type name, e.g. <c>InvalidOperationException</c>; also sent as the error-type header.</summary>
    [JsonPropertyName("errorType")]
    public string ErrorType { get; init; } = string.Empty;

    /// <summary>The stack trace, one frame a line.</summary>
    [JsonPropertyName("stackTrace")]
    public IReadOnlyList<string> StackTrace { get; init; } = [];

    /// <summary>Describes <paramref name="exception"/> as Lambda runtimes do: type name, message, frames.</summary>
    public static LambdaError From(Exception exception) => new()
    {
        ErrorMessage = exception.Message,
        ErrorType = exception.GetType().Name,
        StackTrace = exception.StackTrace?.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) ?? [],
    };
}
