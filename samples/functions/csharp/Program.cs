using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using Shoal.Functions.Runtime;

namespace Shoal.Samples.Function;

/// <summary>
/// Under a Lambda runtime host (<c>AWS_LAMBDA_RUNTIME_API</c> set) serves events from the Runtime API; with only
/// <c>SAMPLE_HTTP_PORT</c> set serves the same handler as plain HTTP on loopback, for benchmarks.
/// </summary>
internal static class Program
{
    /// <summary>
    /// Whether the plain HTTP mode is built in: the Native AOT publish leaves it out (<c>HttpListener</c> and what it
    /// pulls in, TLS and crypto included, would be code every cold start of the function loads and never runs).
    /// </summary>
    [FeatureSwitchDefinition(PlainHttpSwitch)]
    private static bool PlainHttpSupported => !AppContext.TryGetSwitch(PlainHttpSwitch, out var on) || on;

    private const string PlainHttpSwitch = "Shoal.Samples.Function.PlainHttp";

    public static Task Main()
    {
        var httpPort = Environment.GetEnvironmentVariable("SAMPLE_HTTP_PORT");
        if (PlainHttpSupported && string.IsNullOrEmpty(Environment.GetEnvironmentVariable("AWS_LAMBDA_RUNTIME_API")) && !string.IsNullOrEmpty(httpPort))
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
