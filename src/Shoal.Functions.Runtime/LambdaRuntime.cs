using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Shoal.Functions.Runtime;

/// <summary>
/// Runs a function against the Lambda Runtime API named by <c>AWS_LAMBDA_RUNTIME_API</c>: asks for the next event,
/// runs the handler on it, posts the result (or the exception as an error), and again.
/// </summary>
/// <remarks>
/// Call it last in <c>async Task Main</c>: it returns when <c>cancellationToken</c> is cancelled, or sets
/// <see cref="Environment.ExitCode"/> to 1 and returns when initialization failed (after reporting it to
/// <c>init/error</c>), when the Runtime API is gone, or when <c>AWS_LAMBDA_RUNTIME_API</c> is unset.
/// A handler's exception never ends the loop: it is posted as the invocation's error, with the exception's
/// type name as <c>errorType</c>.
/// </remarks>
public static class LambdaRuntime
{
    /// <summary>Runs <paramref name="handler"/> on each event's raw JSON; it returns the raw response.</summary>
    /// <param name="handler">Takes the event's bytes and the invocation's context, returns the response's bytes.</param>
    /// <param name="cancellationToken">Stops the loop (an invocation in flight is abandoned).</param>
    /// <returns>A task that completes when the loop ends.</returns>
    public static Task RunAsync(
        Func<ReadOnlyMemory<byte>, ILambdaContext, Task<ReadOnlyMemory<byte>>> handler,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(handler);
        return RunAsync(_ => Task.FromResult(handler), cancellationToken);
    }

    /// <summary>
    /// Runs <paramref name="initialize"/> once, then the handler it returns on each event. An exception from
    /// <paramref name="initialize"/> is posted to <c>init/error</c> and the process should exit (exit code 1).
    /// </summary>
    /// <param name="initialize">Builds the handler (load configuration, open clients); runs before the first <c>next</c>.</param>
    /// <param name="cancellationToken">Stops the loop (an invocation in flight is abandoned).</param>
    /// <returns>A task that completes when the loop ends.</returns>
    public static async Task RunAsync(
        Func<CancellationToken, Task<Func<ReadOnlyMemory<byte>, ILambdaContext, Task<ReadOnlyMemory<byte>>>>> initialize,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(initialize);
        var environment = LambdaEnvironment.FromProcess();
        if (environment is null)
        {
            await Console.Error.WriteLineAsync($"{LambdaEnvironment.RuntimeApiVariable} is not set: this process must be started by a Lambda runtime host.");
            Environment.ExitCode = RuntimeLoop.Failed;
            return;
        }

        var exitCode = await new RuntimeLoop(environment, TimeProvider.System, Console.Error).RunAsync(initialize, cancellationToken);
        if (exitCode != RuntimeLoop.Stopped)
        {
            Environment.ExitCode = exitCode;
        }
    }

    /// <summary>Runs a typed handler: each event is deserialized, and each result serialized, with source-generated JSON.</summary>
    /// <typeparam name="TRequest">The event's type.</typeparam>
    /// <typeparam name="TResponse">The result's type.</typeparam>
    /// <param name="handler">Takes the event and the invocation's context, returns the result.</param>
    /// <param name="requestTypeInfo">Reads the event, e.g. <c>APIGatewayJsonContext.Default.APIGatewayHttpApiV2ProxyRequest</c>.</param>
    /// <param name="responseTypeInfo">Writes the result.</param>
    /// <param name="cancellationToken">Stops the loop (an invocation in flight is abandoned).</param>
    /// <returns>A task that completes when the loop ends.</returns>
    public static Task RunAsync<TRequest, TResponse>(
        Func<TRequest, ILambdaContext, Task<TResponse>> handler,
        JsonTypeInfo<TRequest> requestTypeInfo,
        JsonTypeInfo<TResponse> responseTypeInfo,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(handler);
        ArgumentNullException.ThrowIfNull(requestTypeInfo);
        ArgumentNullException.ThrowIfNull(responseTypeInfo);
        return RunAsync(Typed(handler, requestTypeInfo, responseTypeInfo), cancellationToken);
    }

    /// <summary>Wraps a typed handler into a raw one (internal for tests).</summary>
    internal static Func<ReadOnlyMemory<byte>, ILambdaContext, Task<ReadOnlyMemory<byte>>> Typed<TRequest, TResponse>(
        Func<TRequest, ILambdaContext, Task<TResponse>> handler,
        JsonTypeInfo<TRequest> requestTypeInfo,
        JsonTypeInfo<TResponse> responseTypeInfo) =>
        async (input, context) =>
        {
            var request = JsonSerializer.Deserialize(input.Span, requestTypeInfo)
                ?? throw new JsonException($"The event is JSON null, not a {typeof(TRequest).Name}.");
            var response = await handler(request, context);
            return LambdaJson.SerializeToUtf8Bytes(response, responseTypeInfo);
        };
}
