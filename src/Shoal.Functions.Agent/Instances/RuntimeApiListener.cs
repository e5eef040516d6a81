using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Shoal.Http;

namespace Shoal.Functions.Agent.Instances;

/// <summary>
/// One loopback Kestrel server that serves the Runtime API (and the invoke path) of every instance on one address. The
/// first path segment is a secret (<see cref="PathSecret"/>) that names one instance's runtime side or its invoke
/// side; a request whose first segment names neither gets the same 404 as a path that does not exist. So an instance
/// reaches only its own events and answers only its own invocations: it knows its runtime secret, never another's.
/// A Kestrel host per instance cost its start-up at every cold start, a timer thread each, and memory. The secret is
/// looked up in a dictionary whose string hashing is randomized per process: a miss tells a prober nothing about how
/// close a guess came.
/// </summary>
internal sealed class RuntimeApiListener : IAsyncDisposable
{
    private const int MaxPayloadBytes = 6 * 1024 * 1024;

    private readonly ConcurrentDictionary<string, Route> _routes = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Route>.AlternateLookup<ReadOnlySpan<char>> _lookup;
    private readonly WebApplication _app;

    private RuntimeApiListener(IPAddress listen)
    {
        _lookup = _routes.GetAlternateLookup<ReadOnlySpan<char>>();
        _app = Build(listen);
    }

    /// <summary>The listener's <c>host:port</c>.</summary>
    public string Authority { get; private set; } = "";

    /// <summary>Opens a listener on a free port of <paramref name="listen"/>.</summary>
    public static async Task<RuntimeApiListener> StartAsync(IPAddress listen, CancellationToken cancellationToken)
    {
        var listener = new RuntimeApiListener(listen);
        try
        {
            await listener._app.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await listener._app.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        var address = listener._app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        listener.Authority = new Uri(address).Authority;
        return listener;
    }

    /// <summary>Routes <c>/RUNTIME-SECRET/…</c> to <paramref name="endpoint"/>'s runtime side and <c>/INVOKE-SECRET/…</c> to its invoke side.</summary>
    public void Add(RuntimeApiEndpoint endpoint, string runtimeSecret, string invokeSecret)
    {
        _routes[runtimeSecret] = new Route(endpoint, Invoke: false);
        _routes[invokeSecret] = new Route(endpoint, Invoke: true);
    }

    /// <summary>Removes the endpoint's routes: from now on its secrets are paths that do not exist.</summary>
    public void Remove(string runtimeSecret, string invokeSecret)
    {
        _routes.TryRemove(runtimeSecret, out _);
        _routes.TryRemove(invokeSecret, out _);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync(CancellationToken.None).ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }

    private WebApplication Build(IPAddress listen)
    {
        // The empty builder: no configuration files, so no watcher on the content root (the daemon's working directory,
        // where every invocation's log lines are written: a watcher woke on each of them), and no logging.
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.Services.AddSingleton<IHostLifetime, EmbeddedHostLifetime>();
        builder.WebHost.UseKestrelCore();
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            k.Limits.MaxRequestBodySize = MaxPayloadBytes + 1;
            k.Listen(listen, 0);
        });

        // Requests run on the thread that read them (nothing here blocks), and a connection's buffer is taken at once:
        // every request on it is a runtime's next call, its answer or an invocation, all expected immediately.
        builder.WebHost.UseSockets(s =>
        {
            s.UnsafePreferInlineScheduling = true;
            s.WaitForDataBeforeAllocatingBuffer = false;
        });
        var app = builder.Build();
        app.Run(HandleAsync);
        return app;
    }

    private Task HandleAsync(HttpContext context)
    {
        var path = context.Request.Path.Value ?? "";
        var end = path.Length > 1 && path[0] == '/' ? path.IndexOf('/', 1) : -1;

        // Without a known secret every path is one that does not exist: nothing tells a prober that a prefix would help.
        if (end < 0 || !_lookup.TryGetValue(path.AsSpan(1, end - 1), out var route))
        {
            return RuntimeApiEndpoint.WriteErrorAsync(context, StatusCodes.Status404NotFound, "NotFound", "No such path.");
        }

        var rest = path.AsSpan(end);
        return route.Invoke ? route.Endpoint.HandleInvokeAsync(context, rest) : route.Endpoint.HandleRuntimeAsync(context, rest);
    }

    private sealed record Route(RuntimeApiEndpoint Endpoint, bool Invoke);
}
