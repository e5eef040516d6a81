using System.Globalization;
using Shoal.Files;
using Shoal.Orchestration.Stack;
using Shoal.Processes;

namespace Shoal.Orchestration.Backing;

/// <summary>
/// A <c>redis:</c> service made runnable: <c>redis-server</c> with its data directory in the volume, appendonly on,
/// on 127.0.0.1 in protected mode, with a password generated on first start and kept in the volume; ready once it
/// answers PING after AUTH. A root daemon runs it as the user redis (see <see cref="VolumeUser"/>).
/// </summary>
internal static class RedisTemplate
{
    /// <summary>The server's configuration file in the volume (0600): the password, which argv would show every local user.</summary>
    public const string ConfigFile = "shoal-redis.conf";

    public static async Task<(ServiceDefinition Service, BackingEndpoint Endpoint)> PrepareAsync(StackDefinition stack, ServiceDefinition service, string program, ProcessUser? user, TimeProvider time, CancellationToken cancellationToken)
    {
        var definition = service.Backing!;
        var volume = Path.Combine(BackingVolumes.Root(stack.StateDirectory), definition.Volume);
        PrivateFiles.CreateDirectory(volume);
        var state = VolumeState.Read(volume);
        var port = BackingServices.PortFor(definition, state);
        var password = state?.Password ?? VolumeState.NewPassword();
        new VolumeState { Port = port, Password = password }.Write(volume);
        var config = Path.Combine(volume, ConfigFile);
        PrivateFiles.WriteAllText(config, $"requirepass {password}\n");
        if (user is not null)
        {
            // Data a root daemon wrote before (an older Shoal) goes to the user too; Shoal's own state stays root's.
            await VolumeUser.ChownAsync(stack, service, user, recursive: true, [volume], time, cancellationToken).ConfigureAwait(false);
            await VolumeUser.ChownAsync(stack, service, new ProcessUser("root", 0, 0), recursive: false, [Path.Combine(volume, VolumeState.FileName)], time, cancellationToken).ConfigureAwait(false);
        }

        var seen = user is null ? volume : VolumeUser.MountPoint;
        List<string> argv =
        [
            program, Path.Combine(seen, ConfigFile), "--dir", seen, "--appendonly", "yes", "--bind", "127.0.0.1", "--port", port.ToString(CultureInfo.InvariantCulture),
            "--protected-mode", "yes", "--daemonize", "no",
            .. definition.Settings.SelectMany(s => new[] { "--" + s.Key, s.Value }),
        ];
        var health = new HealthCheckDefinition { Kind = HealthCheckKind.RedisPing, Password = password };
        var made = service with
        {
            Command = VolumeUser.AsUser(argv, volume, user, "shoal-redis"),
            Port = PortSpec.Of(port),
            Health = health,
            Replicas = Math.Min(service.Replicas, 1),
            Backing = definition with { Password = password },
        };
        return (made, new BackingEndpoint(service.Name, BackingKind.Redis, port, new Dictionary<string, PostgresLogin>()) { Password = password });
    }
}
