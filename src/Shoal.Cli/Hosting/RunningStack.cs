using Shoal.Cli.Commands;
using Shoal.Orchestration.State;

namespace Shoal.Cli.Hosting;

/// <summary>Finds the running stack of a stack file and connects to its admin API.</summary>
internal static class RunningStack
{
    /// <exception cref="CliException">The stack is not running.</exception>
    public static (StackState State, AdminClient Admin) Connect(string? file)
    {
        var state = StackState.Read(StackFiles.StateDirectory(file));
        if (state is not { DaemonAlive: true })
        {
            throw new CliException("the stack is not running ('shoal up -d' starts it)");
        }

        var directory = StackFiles.StateDirectory(file);
        return (state, new AdminClient(new Uri(state.Admin), AdminClient.TokenFor(StackFiles.AdminToken(file), directory), AdminSocket.PathIn(directory)));
    }
}
