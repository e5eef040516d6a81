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
                Report(client.PostInitError(LambdaError.From(ex), cancellationToken), "init/error");
            }
            catch (Exception postFailure) when (postFailure is HttpRequestException or OperationCanceledException)
            {
                log.WriteLine($"Runtime API lost: {postFailure.Message}");
            }

            return Failed;
        }

        // The loop has a thread of its own: it blocks in `next` (the client's calls are synchronous) and while the handler
        // runs (Lambda runs one event at a time); a handler's asynchronous work completes on the thread pool meanwhile.
        return await Task.Factory.StartNew(() => Loop(client, handler, cancellationToken), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
    }

    private int Loop(RuntimeApiClient client, Func<ReadOnlyMemory<byte>, ILambdaContext, Task<ReadOnlyMemory<byte>>> handler, CancellationToken cancellationToken)
    {
        while (true)
        {
            try
            {
                var invocation = client.Next(cancellationToken);
                Invoke(client, handler, invocation, cancellationToken);
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
        }
    }

    private void Invoke(
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
            result = handler(invocation.Event, context).GetAwaiter().GetResult();
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex)
        {
            logger.LogLine($"Unhandled {ex}");
            Report(client.PostError(invocation.RequestId, LambdaError.From(ex), cancellationToken, thenNext: true), "invocation error");
            return;
        }

        Report(client.PostResponse(invocation.RequestId, result, cancellationToken, thenNext: true), "invocation response");
    }

    // A refused post (e.g. 413 for an oversized response, or a request id that already timed out) ends only that
    // invocation; the loop asks for the next event either way.
    private void Report(HttpStatusCode status, string what)
    {
        if ((int)status is < 200 or > 299)
        {
            log.WriteLine($"The Runtime API refused the {what}: {(int)status} {status}.");
        }
    }
}
