using System.Globalization;
using Shoal.Processes;

namespace Shoal.Functions.Agent.Identity;

/// <summary>
/// Who a function's runtime process runs as. An agent running as root never runs a function as root unless the
/// function says <c>user: root</c>: by default it runs as <see cref="ProcessUsers.FunctionUser"/> (created when
/// missing), as Lambda runs handlers as its unprivileged sandbox user. An agent that is not root runs functions as
/// itself and can switch to no one else.
/// </summary>
/// <param name="daemonUid">The agent's effective user id.</param>
/// <param name="defaultUser">The default user under a root agent (internal for tests; <see cref="ProcessUsers.EnsureSystemUser"/> otherwise).</param>
/// <param name="passwd">The user database (internal for tests).</param>
internal sealed class FunctionUsers(uint daemonUid, Func<ProcessUser>? defaultUser = null, string passwd = "/etc/passwd")
{
    private readonly Lazy<ProcessUser> _default = new(defaultUser ?? (() => ProcessUsers.EnsureSystemUser()));

    /// <summary>The user for <paramref name="written"/> (<c>name</c>, <c>uid</c> or <c>uid:gid</c>; null for the default), or null to run as the agent.</summary>
    /// <exception cref="ProcessStartException">The user does not exist, or the agent cannot switch to it.</exception>
    public ProcessUser? Resolve(string? written)
    {
        if (daemonUid != 0)
        {
            if (written is null || ProcessUsers.Resolve(written, passwd).Uid == daemonUid)
            {
                return null;
            }

            throw new ProcessStartException($"user '{written}': the agent runs as uid {daemonUid.ToString(CultureInfo.InvariantCulture)} and can start functions only as itself; run it as root to switch users");
        }

        var user = written is null ? _default.Value : ProcessUsers.Resolve(written, passwd);
        return user.Uid == 0 ? null : user;
    }
}
