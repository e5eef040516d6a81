using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using Shoal.Functions.Agent;
using Shoal.Hosting.Telemetry;
using Shoal.Processes;

namespace Shoal.Hosting;

/// <summary>A function agent on its own (<c>shoal agent</c>), for gateways on this or other hosts to start instances on.</summary>
public sealed class StandaloneAgent : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly DaemonTracing? _tracing;

    private StandaloneAgent(WebApplication app, string runtime, DaemonTracing? tracing)
    {
        _app = app;
        Runtime = runtime;
        _tracing = tracing;
    }

    /// <summary>The name of the runtime that starts the instances.</summary>
    public string Runtime { get; }

    /// <summary>Where the agent's gRPC API listens, once started.</summary>
    public Uri Address => AgentServer.Address(_app);

    /// <summary>
    /// An agent listening on <paramref name="listen"/>, keeping its records and logs in <paramref name="stateDirectory"/>.
    /// With <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> in its environment it exports its own spans (an instance's start, under
    /// the gateway's cold start) as service <c>shoal-agent</c>, as the daemon's in-process agent does under the daemon's.
    /// </summary>
    public static StandaloneAgent Create(Uri listen, string stateDirectory)
    {
        var runtimes = DaemonRuntimes.Create(TimeProvider.System, ProcessScope.ForStateDirectory(stateDirectory), Path.Combine(stateDirectory, "runtimes"));
        var app = AgentServer.Build(listen, stateDirectory, runtimes, TimeProvider.System, logging => logging
            .AddSimpleConsole(o =>
            {
                o.SingleLine = true;
                o.TimestampFormat = "HH:mm:ss.fff ";
                o.ColorBehavior = LoggerColorBehavior.Disabled;
            })
            .AddFilter("Microsoft", LogLevel.Warning)
            .AddFilter("Grpc", LogLevel.Warning));
        return new StandaloneAgent(app, runtimes.Get(RuntimeKind.Process).Name, DaemonTracing.Start(new TracingSettings(), "shoal-agent"));
    }

    /// <summary>Starts listening.</summary>
    public Task StartAsync(CancellationToken cancellationToken) => _app.StartAsync(cancellationToken);

    /// <summary>Stops listening; the instances keep running for the next agent to adopt.</summary>
    public Task StopAsync(CancellationToken cancellationToken) => _app.StopAsync(cancellationToken);

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _app.DisposeAsync().ConfigureAwait(false);

        // Last: the spans of the final starts are flushed.
        if (_tracing is not null)
        {
            await _tracing.DisposeAsync().ConfigureAwait(false);
        }
    }
}
