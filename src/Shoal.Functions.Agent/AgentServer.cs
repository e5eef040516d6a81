using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Shoal.Functions.Agent.Instances;
using Shoal.Functions.Agent.Protocol;
using Shoal.Http;
using Shoal.Processes;

namespace Shoal.Functions.Agent;

/// <summary>Builds the agent: a gRPC server (HTTP/2 without TLS, on loopback unless told otherwise) over the instance table.</summary>
public static class AgentServer
{
    /// <summary>Creates the agent application; start it with <c>StartAsync</c>, stop it to destroy every instance.</summary>
    /// <param name="listen">Where to listen, e.g. <c>http://127.0.0.1:7071</c> (port 0 for any free port).</param>
    /// <param name="stateDirectory">Where the instance records and instance logs go.</param>
    /// <param name="runtimes">Start the instances, each with the runtime its function names.</param>
    /// <param name="time">The clock.</param>
    /// <param name="logging">Logging setup.</param>
    /// <param name="token">When set, every call must carry <c>Authorization: Bearer TOKEN</c> (see <see cref="AgentToken"/>); others get 401.</param>
    public static WebApplication Build(Uri listen, string stateDirectory, IProcessRuntimeProvider runtimes, TimeProvider time, Action<ILoggingBuilder>? logging = null, string? token = null)
    {
        ArgumentNullException.ThrowIfNull(listen);
        // No reload on change: its watcher on the content root (the stack's directory) would wake on every log line written under it.
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = ["--hostBuilder:reloadConfigOnChange=false"] });
        builder.Logging.ClearProviders();
        logging?.Invoke(builder.Logging);
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            var address = listen.Host is "localhost" or "*" or "+" ? System.Net.IPAddress.Loopback : System.Net.IPAddress.Parse(listen.Host);
            k.Listen(address, listen.Port, o => o.Protocols = HttpProtocols.Http2);
        });
        builder.Services.AddSingleton<IHostLifetime, EmbeddedHostLifetime>();
        builder.Services.AddGrpc();
        builder.Services.AddSingleton(time);
        builder.Services.AddSingleton(runtimes);
        builder.Services.AddSingleton(new AgentIdentity(Guid.NewGuid().ToString("n")));
        builder.Services.AddSingleton(sp => new InstanceTable(runtimes, stateDirectory, time, sp.GetRequiredService<ILoggerFactory>()));
        var app = builder.Build();
        if (!string.IsNullOrEmpty(token))
        {
            app.Use((context, next) =>
            {
                if (AgentToken.IsPresented(context.Request, token))
                {
                    return next(context);
                }

                context.Response.StatusCode = Microsoft.AspNetCore.Http.StatusCodes.Status401Unauthorized;
                return Task.CompletedTask;
            });
        }

        app.MapGrpcService<AgentService>();

        // Instances die with the agent: their Runtime API lives here.
        app.Lifetime.ApplicationStopping.Register(() => app.Services.GetRequiredService<InstanceTable>().DisposeAsync().AsTask().GetAwaiter().GetResult());
        _ = app.Services.GetRequiredService<InstanceTable>();
        return app;
    }

    /// <summary>
    /// An invoker for a gateway in the agent's process: it hands events to the agent's instances directly (no HTTP
    /// round trip to their endpoints) and sends anything else to <paramref name="fallback"/>.
    /// </summary>
    public static IInstanceInvoker LocalInvoker(WebApplication agent, IInstanceInvoker fallback)
    {
        ArgumentNullException.ThrowIfNull(agent);
        return new LocalInstanceInvoker(agent.Services.GetRequiredService<InstanceTable>(), fallback, agent.Services.GetRequiredService<TimeProvider>());
    }

    /// <summary>
    /// The agent's calls for a gateway in the agent's process (<see cref="InProcessAgentCalls"/>): the same service
    /// methods (checks, errors as <see cref="Grpc.Core.RpcException"/>, tracing) without the HTTP/2 round trip over
    /// loopback, which sits on every cold start's path and every janitor pass.
    /// </summary>
    public static InProcessAgentCalls InProcess(WebApplication agent)
    {
        ArgumentNullException.ThrowIfNull(agent);
        var services = agent.Services;
        var service = new AgentService(services.GetRequiredService<InstanceTable>(), services.GetRequiredService<IProcessRuntimeProvider>(), services.GetRequiredService<AgentIdentity>(), services.GetRequiredService<TimeProvider>());

        // A start runs on the thread pool, as a gRPC call's handler runs: the gateway calls from its socket engine's
        // thread (inline completions), and a start that waits on a socket of its own (the Docker engine's client blocks
        // on it) would then wait on the thread that has to complete that socket's read, until its timeout. A destroy
        // (called as an instance is given back, on that same thread) hops for the same reason. A listing reads the
        // instances' usage files and nothing else: it runs on the caller's thread (the janitor's).
        return new InProcessAgentCalls(
            (request, cancellationToken) => Task.Run(() => service.EnsureAsync(request, cancellationToken), CancellationToken.None),
            service.List,
            request => Task.Run(() => service.DestroyAsync(request)));
    }

    /// <summary>The address a started agent listens on (with the port it got when asked for 0).</summary>
    public static Uri Address(WebApplication agent)
    {
        ArgumentNullException.ThrowIfNull(agent);
        var addresses = agent.Services.GetRequiredService<Microsoft.AspNetCore.Hosting.Server.IServer>().Features.Get<Microsoft.AspNetCore.Hosting.Server.Features.IServerAddressesFeature>()!;
        return new Uri(addresses.Addresses.First());
    }
}
