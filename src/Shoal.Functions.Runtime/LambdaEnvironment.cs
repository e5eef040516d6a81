using System.Globalization;

namespace Shoal.Functions.Runtime;

/// <summary>The function's settings, as the agent passes them in the standard Lambda environment variables.</summary>
/// <param name="RuntimeApi">The Runtime API's <c>host:port</c>, possibly followed by a path prefix such as Shoal's per-instance secret (<c>AWS_LAMBDA_RUNTIME_API</c>).</param>
/// <param name="FunctionName">The function's name.</param>
/// <param name="FunctionVersion">The function's version.</param>
/// <param name="MemoryLimitInMB">The instance's memory, in MB.</param>
internal sealed record LambdaEnvironment(string RuntimeApi, string FunctionName, string FunctionVersion, int MemoryLimitInMB)
{
    /// <summary>The variable naming the Runtime API's <c>host:port</c> (and path prefix, if any).</summary>
    public const string RuntimeApiVariable = "AWS_LAMBDA_RUNTIME_API";

    /// <summary>Reads this process's environment, or returns null when <c>AWS_LAMBDA_RUNTIME_API</c> is unset.</summary>
    public static LambdaEnvironment? FromProcess()
    {
        var runtimeApi = Environment.GetEnvironmentVariable(RuntimeApiVariable);
        if (string.IsNullOrWhiteSpace(runtimeApi))
        {
            return null;
        }

        _ = int.TryParse(
            Environment.GetEnvironmentVariable("AWS_LAMBDA_FUNCTION_MEMORY_SIZE"),
            NumberStyles.Integer,
            CultureInfo.InvariantCulture,
            out var memory);
        return new LambdaEnvironment(
            runtimeApi.Trim(),
            Environment.GetEnvironmentVariable("AWS_LAMBDA_FUNCTION_NAME") ?? string.Empty,
            Environment.GetEnvironmentVariable("AWS_LAMBDA_FUNCTION_VERSION") ?? "$LATEST",
            memory);
    }
}
