using System.Net;
using System.Net.Sockets;
using Shoal.Configuration;
using Shoal.Orchestration.Stack;
using Shoal.Processes;

namespace Shoal.Orchestration.Backing;

/// <summary>
/// Makes a stack's <c>postgres:</c> and <c>redis:</c> services runnable as it starts: finds the host's binaries (a
/// missing one is an error naming the Debian package), prepares each volume, gives each its command, port and
/// readiness check, and gives their dependants the connection details (<see cref="BackingEnvironment"/>).
/// </summary>
public static class BackingServices
{
    /// <summary><paramref name="stack"/> with its backing services made runnable from the host's binaries; the stack itself when it has none.</summary>
    /// <exception cref="ConfigFileException">A binary is missing, or a volume cannot be prepared.</exception>
    public static Task<StackDefinition> PrepareAsync(StackDefinition stack, CancellationToken cancellationToken) =>
        PrepareAsync(stack, BackingBinaries.Host, PosixUser.EffectiveUserId(), TimeProvider.System, cancellationToken);

    /// <summary>As <see cref="PrepareAsync(StackDefinition, CancellationToken)"/> with <paramref name="binaries"/> and the daemon's uid given; internal for tests.</summary>
    internal static async Task<StackDefinition> PrepareAsync(StackDefinition stack, BackingBinaries binaries, uint daemonUid, TimeProvider time, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stack);
        var templates = stack.Services.Where(s => s.Backing is not null && !s.External).ToList();
        if (templates.Count == 0)
        {
            return stack;
        }

        var programs = FindPrograms(stack, templates, binaries);
        var endpoints = new Dictionary<string, BackingEndpoint>(StringComparer.Ordinal);
        var made = new Dictionary<string, ServiceDefinition>(StringComparer.Ordinal);
        foreach (var service in templates)
        {
            var dependants = stack.Services.Where(s => s.DependsOn.Any(d => d.Service == service.Name)).Select(s => s.Name).ToList();
            // Neither server runs as root: a root daemon runs each as the user its Debian package made.
            var (definition, endpoint) = service.Backing!.Kind == BackingKind.Postgres
                ? await PostgresTemplate.PrepareAsync(stack, service, dependants, programs[service.Name], daemonUid == 0 ? VolumeUser.Resolve(stack, service, "postgres", "postgresql") : null, time, cancellationToken).ConfigureAwait(false)
                : await RedisTemplate.PrepareAsync(stack, service, programs[service.Name], daemonUid == 0 ? VolumeUser.Resolve(stack, service, "redis", "redis-server") : null, time, cancellationToken).ConfigureAwait(false);
            made[service.Name] = definition;
            endpoints[service.Name] = endpoint;
        }

        var services = stack.Services.Select(s => made.GetValueOrDefault(s.Name) ?? BackingEnvironment.Apply(WaitForReady(s, endpoints), endpoints)).ToList();
        return stack with { Services = services };
    }

    /// <summary>A located error about a backing service, as the stack starts.</summary>
    internal static ConfigFileException Error(StackDefinition stack, ServiceDefinition service, string message)
    {
        var at = service.Backing?.At ?? FieldLocation.None;
        return new ConfigFileException([new ConfigError(Path.GetFileName(stack.FilePath), at.Line, at.Column, $"services.{service.Name}.{service.Backing?.Key}", message)]);
    }

    /// <summary>The port of a backing service: its fixed one, else the one kept in the volume while it is free, else a free one.</summary>
    internal static int PortFor(BackingServiceDefinition definition, VolumeState? state)
    {
        if (definition.Port is { } fixedPort)
        {
            return fixedPort;
        }

        if (state is { Port: > 0 } && IsFree(state.Port))
        {
            return state.Port;
        }

        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)listener.LocalEndPoint!).Port;
    }

    private static bool IsFree(int port)
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            listener.Bind(new IPEndPoint(IPAddress.Loopback, port));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    // Every missing binary at once, each at its service's template key.
    private static Dictionary<string, string> FindPrograms(StackDefinition stack, List<ServiceDefinition> templates, BackingBinaries binaries)
    {
        var postgres = templates.Any(t => t.Backing!.Kind == BackingKind.Postgres) ? binaries.FindPostgres() : null;
        var redis = templates.Any(t => t.Backing!.Kind == BackingKind.Redis) ? binaries.FindRedis() : null;
        var programs = new Dictionary<string, string>(StringComparer.Ordinal);
        var errors = new List<ConfigError>();
        foreach (var service in templates)
        {
            var (program, missing) = service.Backing!.Kind == BackingKind.Postgres ? (postgres, binaries.PostgresMissing) : (redis, BackingBinaries.RedisMissing);
            if (program is null)
            {
                errors.AddRange(Error(stack, service, missing).Errors);
            }
            else
            {
                programs[service.Name] = program;
            }
        }

        return errors.Count > 0 ? throw new ConfigFileException(errors) : programs;
    }

    // A database that has started but does not answer yet is no use to its dependant: it waits for the readiness check.
    private static ServiceDefinition WaitForReady(ServiceDefinition service, Dictionary<string, BackingEndpoint> endpoints) =>
        service.DependsOn.Any(d => endpoints.ContainsKey(d.Service) && d.Condition == DependencyCondition.Started)
            ? service with { DependsOn = service.DependsOn.Select(d => endpoints.ContainsKey(d.Service) ? d with { Condition = DependencyCondition.Healthy } : d).ToList() }
            : service;
}
