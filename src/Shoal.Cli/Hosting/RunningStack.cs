using Shoal.Hosting;
using Shoal.Orchestration.State;

namespace Shoal.Cli.Hosting;

/// <summary>Finds the running stack of a stack file and connects to its admin API.</summary>
internal static class RunningStack
{
    /// <exception cref="CliException">The stack is not running.</exception>
    public static (StackState State, AdminClient Admin) Connect(string? file)
    {
        var status = StackStatus.Find(StackFiles.StateDirectory(file));
        if (status.Corruption is { } corruption)
        {
            throw new CliException(status.Daemon is { } daemon
                ? $"{corruption.Message}; the stack's daemon (pid {daemon.Pid}, found by its lock) runs on: 'shoal down' stops it"
                : $"{corruption.Message}; no daemon holds the stack's lock: 'shoal down' clears what is left");
        }

        if (status is not { State: { } state, Daemon: not null })
        {
            throw new CliException("the stack is not running ('shoal up -d' starts it)");
        }

        var directory = StackFiles.StateDirectory(file);
        return (state, new AdminClient(new Uri(state.Admin), AdminTokenFile.Reader(StackFiles.AdminToken(file), directory), AdminSocket.PathIn(directory)));
    }
}
