using System.Globalization;
using Shoal.Functions.Runtime;

namespace Shoal.Samples.Function;

/// <summary>
/// Under a Lambda runtime host (<c>AWS_LAMBDA_RUNTIME_API</c> set) serves events from the Runtime API; with only
/// <c>SAMPLE_HTTP_PORT</c> set serves the same handler as plain HTTP on loopback, for benchmarks.
/// </summary>
internal static class Program
{
    public static Task Main()
    {
        var httpPort = Environment.GetEnvironmentVariable("SAMPLE_HTTP_PORT");
        if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable("AWS_LAMBDA_RUNTIME_API")) && !string.IsNullOrEmpty(httpPort))
        {
            return PlainHttpServer.RunAsync(int.Parse(httpPort, CultureInfo.InvariantCulture), CancellationToken.None);
        }

        return LambdaRuntime.RunAsync(static _ =>
        {
            // Test hook: a function whose initialization fails (reported to init/error, then exit 1).
            if (Environment.GetEnvironmentVariable("SAMPLE_INIT_FAIL") == "1")
            {
                throw new InvalidOperationException("SAMPLE_INIT_FAIL=1: initialization failed on purpose.");
            }

            return Task.FromResult<Func<ReadOnlyMemory<byte>, ILambdaContext, Task<ReadOnlyMemory<byte>>>>(EchoFunction.HandleAsync);
        });
    }
}
