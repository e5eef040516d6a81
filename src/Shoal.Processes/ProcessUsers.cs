using System.Diagnostics;
using System.Globalization;

namespace Shoal.Processes;

/// <summary>Resolves <c>user:</c> values against /etc/passwd, makes the unprivileged function user, and switches to a user before a program runs.</summary>
public static class ProcessUsers
{
    /// <summary>The system user functions run as by default when the daemon is root.</summary>
    public const string FunctionUser = "shoal-fn";

    /// <summary>The program that drops to a user: setpriv (util-linux), which execs in place.</summary>
    public const string Setpriv = "/usr/bin/setpriv";

    private static readonly Lock s_create = new();

    /// <summary>Resolves <c>name</c>, <c>uid</c> or <c>uid:gid</c> (a name's primary group comes from its passwd entry).</summary>
    /// <exception cref="ProcessStartException">An unknown name, or a value that is none of the three forms.</exception>
    public static ProcessUser Resolve(string value, string passwdFile = "/etc/passwd")
    {
        ArgumentNullException.ThrowIfNull(value);
        var parts = value.Split(':');
        if (parts.Length == 2 && TryId(parts[0], out var uid) && TryId(parts[1], out var gid))
        {
            return new ProcessUser(Find(passwdFile, e => e.Uid == uid)?.Name ?? parts[0], uid, gid);
        }

        if (parts.Length == 1 && TryId(value, out uid))
        {
            return Find(passwdFile, e => e.Uid == uid) ?? new ProcessUser(value, uid, uid);
        }

        if (parts.Length == 1 && value.Length > 0)
        {
            return Find(passwdFile, e => e.Name == value)
                ?? throw new ProcessStartException($"user '{value}' does not exist on this machine (not in {passwdFile}); create it or give a uid (user: 1000 or 1000:1000).");
        }

        throw new ProcessStartException($"user '{value}' is not a user name, a uid or uid:gid.");
    }

    /// <summary>The user named <paramref name="name"/>, created as a system user without a home or a login shell when missing.</summary>
    /// <exception cref="ProcessStartException">useradd failed (or is missing) and the user still does not exist.</exception>
    public static ProcessUser EnsureSystemUser(string name = FunctionUser, string passwdFile = "/etc/passwd")
    {
        ArgumentNullException.ThrowIfNull(name);
        lock (s_create)
        {
            if (Find(passwdFile, e => e.Name == name) is { } existing)
            {
                return existing;
            }

            // Another process (a second daemon) may add it meanwhile: useradd then fails with 9 and the entry is there.
            var (exit, output) = Run("useradd", ["--system", "--no-create-home", "--shell", "/usr/sbin/nologin", name]);
            return Find(passwdFile, e => e.Name == name)
                ?? throw new ProcessStartException($"cannot create the user '{name}' (useradd exited {exit.ToString(CultureInfo.InvariantCulture)}: {output.Trim()}).");
        }
    }

    /// <summary>True when <paramref name="user"/> can list and enter <paramref name="directory"/> (every parent traversable), as the kernel decides it.</summary>
    public static bool CanRead(ProcessUser user, string directory)
    {
        ArgumentNullException.ThrowIfNull(user);
        if (user.Uid == 0 || user.Uid == PosixUser.EffectiveUserId())
        {
            return Directory.Exists(directory);
        }

        // Asking the kernel through the user itself covers ACLs and every parent's mode without reimplementing them.
        var (exit, _) = Run(Setpriv, [.. SwitchArguments(user), "/usr/bin/test", "-r", directory, "-a", "-x", directory]);
        return exit == 0;
    }

    /// <summary>The command prefix that runs the rest as <paramref name="user"/>, without supplementary groups or a way back to privilege.</summary>
    public static IReadOnlyList<string> SwitchCommand(ProcessUser user) => [Setpriv, .. SwitchArguments(user)];

    /// <summary>
    /// <see cref="SwitchCommand"/> for a program that runs on this host: the user and its group by name where the
    /// host's /etc/passwd and /etc/group map those names to exactly <paramref name="user"/>'s ids, by number otherwise.
    /// </summary>
    /// <remarks>
    /// setpriv looks every value up as a name first: a number is missing from the files and goes on to the next NSS
    /// source (libnss_systemd here, loaded for each start), a name is found in the file. The same ids either way.
    /// </remarks>
    public static IReadOnlyList<string> HostSwitchCommand(ProcessUser user, string passwdFile = "/etc/passwd", string groupFile = "/etc/group")
    {
        ArgumentNullException.ThrowIfNull(user);
        var uid = user.Uid.ToString(CultureInfo.InvariantCulture);
        var gid = user.Gid.ToString(CultureInfo.InvariantCulture);

        // The first entry of a name is the one a lookup finds: its id must be this one.
        var userName = FirstId(Entries(passwdFile), user.Name) == user.Uid ? user.Name : uid;
        var groups = Entries(groupFile).ToList();
        var groupName = FirstName(groups, user.Gid) is { } name && FirstId(groups, name) == user.Gid ? name : gid;
        return [Setpriv, .. SwitchArguments(userName, groupName)];
    }

    private static string[] SwitchArguments(ProcessUser user) =>
        SwitchArguments(user.Uid.ToString(CultureInfo.InvariantCulture), user.Gid.ToString(CultureInfo.InvariantCulture));

    private static string[] SwitchArguments(string user, string group) => ["--reuid", user, "--regid", group, "--clear-groups", "--no-new-privs"];

    private static bool TryId(string text, out uint id) => uint.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out id);

    // The id of the first entry named name in a passwd or group file's entries (name:password:id:…), or null.
    private static uint? FirstId(IEnumerable<string[]> entries, string name)
    {
        foreach (var fields in entries)
        {
            if (fields[0] == name)
            {
                return TryId(fields[2], out var id) ? id : null;
            }
        }

        return null;
    }

    // The name of the first entry with the id in a group file's entries, or null.
    private static string? FirstName(IEnumerable<string[]> entries, uint id) =>
        entries.FirstOrDefault(f => f[0].Length > 0 && TryId(f[2], out var entry) && entry == id)?[0];

    private static IEnumerable<string[]> Entries(string file)
    {
        string[] lines;
        try
        {
            lines = File.ReadAllLines(file);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            yield break;
        }

        foreach (var line in lines)
        {
            var fields = line.Split(':');
            if (fields.Length >= 3)
            {
                yield return fields;
            }
        }
    }

    private static ProcessUser? Find(string passwdFile, Func<ProcessUser, bool> match)
    {
        // name:password:uid:gid:gecos:home:shell
        foreach (var fields in Entries(passwdFile))
        {
            if (fields.Length >= 4 && TryId(fields[2], out var uid) && TryId(fields[3], out var gid))
            {
                var entry = new ProcessUser(fields[0], uid, gid);
                if (match(entry))
                {
                    return entry;
                }
            }
        }

        return null;
    }

    private static (int Exit, string Output) Run(string program, IReadOnlyList<string> arguments)
    {
        var startInfo = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        try
        {
            using var process = Process.Start(startInfo)!;
            var output = process.StandardError.ReadToEndAsync();
            process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            return (process.ExitCode, output.Result);
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            return (-1, ex.Message);
        }
    }
}
