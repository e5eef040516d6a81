using System.Globalization;
using Shoal.Processes;

namespace Shoal.Functions.Agent.Identity;

/// <summary>
/// Who a function's runtime process runs as. An agent running as root never runs a function as root unless the
/// function says <c>user: root</c>: by default it runs as <see cref="DefaultName"/>, as Lambda runs handlers as its
/// unprivileged sandbox user. An agent that is not root runs functions as itself and can switch to no one else.
/// </summary>
/// <param name="daemonUid">The agent's effective user id.</param>
/// <param name="passwd">The user database (<c>/etc/passwd</c>; internal for tests).</param>
internal sealed class FunctionUsers(uint daemonUid, string passwd = "/etc/passwd")
{
    /// <summary>The user functions run as by default under a root agent.</summary>
    public const string DefaultName = "shoal-fn";

    /// <summary>The uid and gid of <c>nobody</c>, for a host without <see cref="DefaultName"/>.</summary>
    public const uint Nobody = 65534;

    /// <summary>The user for <paramref name="written"/> (<c>name</c>, <c>uid</c> or <c>uid:gid</c>; null for the default), or null to run as the agent.</summary>
    /// <exception cref="ProcessStartException">The user does not exist, or the agent cannot switch to it.</exception>
    public ProcessUser? Resolve(string? written)
    {
        if (daemonUid != 0)
        {
            if (written is null || Parse(written) is { } u && u.Uid == daemonUid)
            {
                return null;
            }

            throw new ProcessStartException($"user '{written}': the agent runs as uid {daemonUid.ToString(CultureInfo.InvariantCulture)} and can start functions only as itself; run it as root to switch users");
        }

        if (written is null)
        {
            return Lookup(DefaultName) ?? new ProcessUser(Lookup(Nobody)?.Name ?? "65534", Nobody, Nobody);
        }

        var user = Parse(written) ?? throw new ProcessStartException($"user '{written}' does not exist on this host: add it (useradd --system {written}) or give uid:gid");
        return user.Uid == 0 ? null : user;
    }

    private ProcessUser? Parse(string written)
    {
        var colon = written.IndexOf(':', StringComparison.Ordinal);
        if (colon > 0
            && uint.TryParse(written.AsSpan(0, colon), NumberStyles.None, CultureInfo.InvariantCulture, out var uid)
            && uint.TryParse(written.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var gid))
        {
            return new ProcessUser(Lookup(uid)?.Name ?? uid.ToString(CultureInfo.InvariantCulture), uid, gid);
        }

        if (uint.TryParse(written, NumberStyles.None, CultureInfo.InvariantCulture, out var id))
        {
            return Lookup(id) ?? new ProcessUser(written, id, id);
        }

        return Lookup(written);
    }

    private ProcessUser? Lookup(string name) => Entries().FirstOrDefault(u => u.Name == name);

    private ProcessUser? Lookup(uint uid) => Entries().FirstOrDefault(u => u.Uid == uid);

    private IEnumerable<ProcessUser> Entries()
    {
        if (!File.Exists(passwd))
        {
            yield break;
        }

        foreach (var line in File.ReadLines(passwd))
        {
            // name:password:uid:gid:gecos:home:shell
            var fields = line.Split(':');
            if (fields.Length >= 4
                && uint.TryParse(fields[2], NumberStyles.None, CultureInfo.InvariantCulture, out var uid)
                && uint.TryParse(fields[3], NumberStyles.None, CultureInfo.InvariantCulture, out var gid))
            {
                yield return new ProcessUser(fields[0], uid, gid);
            }
        }
    }
}
