using System.Net;

namespace Shoal.Functions.Runtime;

/// <summary>
/// The runtime's life: initialize the handler (reporting a failure to <c>init/error</c>), then
/// <c>next</c> → handler → <c>response</c> or <c>error</c>, until cancelled or the Runtime API is gone.
/// </summary>
/// <param name="environment">The function's settings.</param>
/// <param name="timeProvider">The clock for <see cref="ILambdaContext.RemainingTime"/> and log lines.</param>
/// <param name="log">Where the runtime's own messages and the handlers' log lines go (standard error).</param>
internal sealed class RuntimeLoop(LambdaEnvironment environment, TimeProvider timeProvider, TextWriter log)
{
    /// <summary>The exit code after cancellation.</summary>
    public const int Stopped = 0;

    /// <summary>The exit code after a failed initialization or a lost Runtime API.</summary>
    public const int Failed = 1;

    /// <summary>Runs until <paramref name="cancellationToken"/> is cancelled; returns the process's exit code.</summary>
    public async Task<int> RunAsync(
        Func<CancellationToken, Task<Func<ReadOnlyMemory<byte>, ILambdaContext, Task<ReadOnlyMemory<byte>>>>> initialize,
        CancellationToken cancellationToken)
    {
        using var client = new RuntimeApiClient(environment.RuntimeApi);
        Func<ReadOnlyMemory<byte>, ILambdaContext, Task<ReadOnlyMemory<byte>>> handler;
        try
        {
            handler = await initialize(cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return Stopped;
        }
        catch (Exception ex)
        {
            log.WriteLine($"Init error: {ex}");
            try
            {
                await ReportAsync(() => client.PostInitErrorAsync(LambdaError.From(ex), cancellationToken), "init/error");
            }
            catch (Exception postFailure) when (postFailure is HttpRequestException or OperationCanceledException)
            {
                log.WriteLine($"Runtime API lost: {postFailure.Message}");
            }

            return Failed;
        }

        while (true)
        {
            Invocation invocation;
            try
            {
                invocation = await client.NextAsync(cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return Stopped;
            }
            catch (HttpRequestException ex)
            {
                // Without the Runtime API there is nothing left to do: exit and let the agent replace the instance.
                log.WriteLine($"Runtime API lost: {ex.Message}");
                return Failed;
            }

            try
            {
                await InvokeAsync(client, handler, invocation, cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return Stopped;
            }
            catch (HttpRequestException ex)
            {
                log.WriteLine($"Runtime API lost: {ex.Message}");
                return Failed;
            }
        }
    }

    private async Task InvokeAsync(
        RuntimeApiClient client,
        Func<ReadOnlyMemory<byte>, ILambdaContext, Task<ReadOnlyMemory<byte>>> handler,
        Invocation invocation,
        CancellationToken cancellationToken)
    {
        var logger = new StandardErrorLogger(log, timeProvider, invocation.RequestId);
        var context = new LambdaContext(environment, invocation, timeProvider, logger);
        ReadOnlyMemory<byte> result;
        try
        {
            result = await handler(invocation.Event, context);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex)
        {
            logger.LogLine($"Unhandled {ex}");
            await ReportAsync(() => client.PostErrorAsync(invocation.RequestId, LambdaError.From(ex), cancellationToken), "invocation error");
            return;
        }

        await ReportAsync(() => client.PostResponseAsync(invocation.RequestId, result, cancellationToken), "invocation response");
    }

    // A refused post (e.g. 413 for an oversized response, or a request id that already timed out) ends only that
    // invocation; the loop asks for the next event either way.
    private async Task ReportAsync(Func<Task<HttpStatusCode>> post, string what)
    {
        var status = await post();
        if ((int)status is < 200 or > 299)
        {
            log.WriteLine($"The Runtime API refused the {what}: {(int)status} {status}.");
        }
    }
}
