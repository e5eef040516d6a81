using Shoal.Orchestration.Stack;
using Shoal.Processes;

namespace Shoal.Orchestration.Backing;

/// <summary>
/// How a root daemon runs a backing server: as the unprivileged user its Debian package made (<c>postgres</c>,
/// <c>redis</c>), who owns the volume but cannot reach <c>.shoal/</c> (0700). In a mount namespace of its own the
/// volume is bound at <see cref="MountPoint"/>, then the program drops to the user: the volume stays private, nothing
/// else changes, and the namespace goes with the process.
/// </summary>
internal static class VolumeUser
{
    /// <summary>Where the server sees its volume when it runs as its own user.</summary>
    public const string MountPoint = "/mnt";

    private const string MountScript = "mount --bind \"$1\" " + MountPoint + " && shift && exec \"$@\"";

    /// <summary>The user <paramref name="name"/>, or a located error naming the Debian package that makes it.</summary>
    public static ProcessUser Resolve(StackDefinition stack, ServiceDefinition service, string name, string package)
    {
        try
        {
            return ProcessUsers.Resolve(name);
        }
        catch (ProcessStartException)
        {
            throw BackingServices.Error(stack, service, $"a root daemon runs {service.Backing!.Key} as the user {name}, and there is none: install Debian's package {package} (it creates the user)");
        }
    }

    /// <summary>Gives <paramref name="paths"/> to <paramref name="user"/>; with <paramref name="recursive"/> what is under them too.</summary>
    public static async Task ChownAsync(StackDefinition stack, ServiceDefinition service, ProcessUser user, bool recursive, IReadOnlyList<string> paths, TimeProvider time, CancellationToken cancellationToken)
    {
        List<string> argv = ["chown", .. recursive ? new[] { "-R" } : [], $"{user.Uid}:{user.Gid}", .. paths];
        var (exit, output) = await BackingCommand.RunAsync(argv, stack.Directory, time, cancellationToken).ConfigureAwait(false);
        if (exit != 0)
        {
            throw BackingServices.Error(stack, service, $"cannot give {paths[0]} to the user {user.Name}: {output}");
        }
    }

    /// <summary><paramref name="argv"/> as it runs: as is without a user, else as <paramref name="user"/> with the volume at <see cref="MountPoint"/>.</summary>
    public static List<string> AsUser(List<string> argv, string volume, ProcessUser? user, string label) =>
        user is null ? argv : ["unshare", "--mount", "--propagation", "private", "--", "/bin/sh", "-c", MountScript, label, volume, .. ProcessUsers.SwitchCommand(user), .. argv];
}
