using System.Globalization;
using Docker.DotNet.Models;

namespace Shoal.Processes.Docker;

/// <summary>Turns a <see cref="ProcessSpec"/> into the engine's create request: the one place that decides what a container may see and use.</summary>
internal static class ContainerDefinition
{
    /// <summary>The label that marks Shoal's containers with their stack's scope, so a later run finds what an earlier one left.</summary>
    public const string ScopeLabel = "shoal.scope";

    /// <summary>The label holding the process's name (<see cref="ProcessSpec.Name"/>), for operators.</summary>
    public const string NameLabel = "shoal.name";

    /// <summary>The scope label's value for processes started without a scope.</summary>
    public const string NoScope = "none";

    /// <summary>The request that creates the container for <paramref name="spec"/>; <paramref name="daemon"/> reads the daemon's environment.</summary>
    /// <exception cref="ProcessStartException">The spec asks for what this runtime cannot give.</exception>
    public static CreateContainerParameters Create(ProcessSpec spec, ProcessScope? scope, Func<string, string?> daemon, IEnumerable<string> localeNames, string daemonUser)
    {
        if (spec.Isolation.Network != NetworkMode.Host)
        {
            // Replicas and functions answer the gateway on 127.0.0.1; the engine's bridge puts them behind NAT on
            // another address, which breaks that contract without telling anyone.
            throw new ProcessStartException(
                $"{spec.Name}: runtime 'docker' runs only with network: host (the engine's bridge network cannot answer the gateway on 127.0.0.1); use runtime: sandbox or oci for network: isolated.");
        }

        if (string.IsNullOrWhiteSpace(spec.Isolation.Image))
        {
            throw new ProcessStartException($"{spec.Name}: runtime 'docker' needs an image (image: <name>).");
        }

        if (!Path.IsPathRooted(spec.WorkingDirectory))
        {
            throw new ProcessStartException($"{spec.Name}: working directory '{spec.WorkingDirectory}' is not an absolute path.");
        }

        // The same variables a host process gets, never the daemon's secrets; DOCKER_HOST and the like stay out too
        // because they are not in the base set.
        var environment = ChildEnvironment.Build(spec.Environment, spec.Inherit.Concat(localeNames), daemon);
        if (scope is not null)
        {
            // The marker lets ProcessScope.SweepAll find the container's processes in /proc even with no engine to ask.
            environment[ProcessScope.Variable] = scope.Key + "/" + NameOf(spec, scope);
        }

        var limits = spec.Limits;
        var host = new HostConfig
        {
            NetworkMode = "host",
            Binds = [$"{spec.WorkingDirectory}:{spec.WorkingDirectory}:{(spec.Isolation.ReadOnlyWorkingDirectory ? "ro" : "rw")}"],

            // The log file is the record, as for a host process; the engine's json-file copy would grow without bound.
            LogConfig = new LogConfig { Type = "none", Config = new Dictionary<string, string>() },
        };
        if (limits.MemoryBytes is { } memory)
        {
            // Swap equal to memory: at the limit the kernel kills instead of swapping.
            host.Memory = memory;
            host.MemorySwap = memory;
        }

        if (limits.CpuQuota is { } cpus)
        {
            host.NanoCPUs = (long)Math.Round(cpus * 1e9);
        }

        if (limits.MaxProcesses is { } pids)
        {
            host.PidsLimit = pids;
        }

        return new CreateContainerParameters
        {
            Name = NameOf(spec, scope),
            Image = spec.Isolation.Image,
            Entrypoint = [spec.FileName],
            Cmd = [.. spec.Arguments],
            Env = [.. environment.Select(e => e.Key + "=" + e.Value)],
            WorkingDir = spec.WorkingDirectory,
            User = spec.User is { } user ? string.Create(CultureInfo.InvariantCulture, $"{user.Uid}:{user.Gid}") : daemonUser,
            AttachStdout = true,
            AttachStderr = true,
            Labels = new Dictionary<string, string>
            {
                [ScopeLabel] = scope?.Key ?? NoScope,
                [NameLabel] = spec.Name,
            },
            HostConfig = host,
        };
    }

    /// <summary>The container's name: Shoal's prefix, the scope, then the instance id, in the characters the engine allows.</summary>
    public static string NameOf(ProcessSpec spec, ProcessScope? scope)
    {
        var id = spec.InstanceId ?? spec.Name;
        var name = "shoal-" + (scope is null ? "" : scope.Key + "-") + id;
        return string.Create(name.Length, name, static (span, s) =>
        {
            for (var i = 0; i < s.Length; i++)
            {
                var c = s[i];
                span[i] = char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '_';
            }
        });
    }
}
