using System.Globalization;
using Shoal.Files;
using Shoal.Orchestration.Stack;

namespace Shoal.Orchestration.Backing;

/// <summary>
/// A <c>redis:</c> service made runnable: <c>redis-server</c> with its data directory in the volume, appendonly on,
/// on 127.0.0.1 in protected mode; ready once it answers PING.
/// </summary>
internal static class RedisTemplate
{
    public static (ServiceDefinition Service, BackingEndpoint Endpoint) Prepare(StackDefinition stack, ServiceDefinition service, string program)
    {
        var definition = service.Backing!;
        var volume = Path.Combine(BackingVolumes.Root(stack.StateDirectory), definition.Volume);
        PrivateFiles.CreateDirectory(volume);
        var port = BackingServices.PortFor(definition, VolumeState.Read(volume));
        new VolumeState { Port = port }.Write(volume);

        List<string> argv =
        [
            program, "--dir", volume, "--appendonly", "yes", "--bind", "127.0.0.1", "--port", port.ToString(CultureInfo.InvariantCulture),
            "--protected-mode", "yes", "--daemonize", "no",
            .. definition.Settings.SelectMany(s => new[] { "--" + s.Key, s.Value }),
        ];
        var health = new HealthCheckDefinition { Kind = HealthCheckKind.RedisPing };
        var made = service with { Command = argv, Port = PortSpec.Of(port), Health = health, Replicas = Math.Min(service.Replicas, 1) };
        return (made, new BackingEndpoint(service.Name, BackingKind.Redis, port, new Dictionary<string, PostgresLogin>()));
    }
}
