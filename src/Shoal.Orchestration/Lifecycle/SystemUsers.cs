using System.Globalization;

namespace Shoal.Orchestration.Lifecycle;

/// <summary>Finds a service's <c>user:</c> (a name, a uid or uid:gid) in the machine's user database, <c>/etc/passwd</c>.</summary>
internal static class SystemUsers
{
    /// <summary>The user named by <paramref name="text"/>, or null with the reason when the machine has no such user.</summary>
    /// <param name="text">A name (<c>nobody</c>), a uid (<c>65534</c>) or uid:gid (<c>1000:1000</c>), as the loader checked it.</param>
    /// <param name="passwd">The user database; internal for tests.</param>
    public static (Processes.ProcessUser? User, string? Error) Resolve(string text, string passwd = "/etc/passwd")
    {
        ArgumentNullException.ThrowIfNull(text);
        var entries = Read(passwd);
        var colon = text.IndexOf(':', StringComparison.Ordinal);
        if (colon > 0)
        {
            // uid:gid is taken as given (as Docker and Compose do): the ids need no entry of their own.
            var uid = uint.Parse(text.AsSpan(0, colon), NumberStyles.None, CultureInfo.InvariantCulture);
            var gid = uint.Parse(text.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture);
            return (new Processes.ProcessUser(entries.FirstOrDefault(e => e.Uid == uid)?.Name ?? text, uid, gid), null);
        }

        if (uint.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var id))
        {
            return entries.FirstOrDefault(e => e.Uid == id) is { } byId
                ? (byId, null)
                : (null, $"no user has uid {id} in {passwd}; give uid:gid to run with a primary group of your choosing");
        }

        return entries.FirstOrDefault(e => e.Name == text) is { } byName
            ? (byName, null)
            : (null, $"no user '{text}' in {passwd}; create it (useradd --system {text}) or name another");
    }

    private static List<Processes.ProcessUser> Read(string passwd)
    {
        var users = new List<Processes.ProcessUser>();
        string[] lines;
        try
        {
            lines = File.ReadAllLines(passwd);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return users;
        }

        foreach (var line in lines)
        {
            // name:password:uid:gid:gecos:home:shell
            var fields = line.Split(':');
            if (fields.Length >= 4
                && uint.TryParse(fields[2], NumberStyles.None, CultureInfo.InvariantCulture, out var uid)
                && uint.TryParse(fields[3], NumberStyles.None, CultureInfo.InvariantCulture, out var gid))
            {
                users.Add(new Processes.ProcessUser(fields[0], uid, gid));
            }
        }

        return users;
    }
}
