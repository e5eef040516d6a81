using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Shoal.Processes;

/// <summary>
/// Everything one stack started, wherever it went: each process carries a marker in its environment
/// (<see cref="Variable"/> = <c>KEY/NAME.NONCE</c>) and, where cgroup v1 is writable (root), sits in its own pids cgroup
/// under <c>/sys/fs/cgroup/pids/shoal/scope-KEY/</c>. A child that calls <c>setsid</c> leaves its process group but
/// neither its cgroup nor (unless it rewrites it) its environment, so a sweep finds it.
/// </summary>
/// <remarks>
/// The key is derived from the stack's state directory, not from a run, so <c>shoal down</c> can sweep a stack whose
/// daemon was killed and whose state file is lost. Without cgroups the sweep reads <c>/proc/PID/environ</c>: it cannot
/// see a process that replaced its environment (<c>env -i</c>, a fresh <c>execve</c> environment) or whose environ it
/// may not read (another user's, when not root).
/// </remarks>
public sealed class ProcessScope
{
    /// <summary>The environment variable that marks a process as started by a stack.</summary>
    public const string Variable = "SHOAL_SCOPE";

    private const string CgroupParent = "/sys/fs/cgroup/pids/shoal";

    private readonly string _cgroupRoot;
    private readonly string _hierarchy;
    private readonly Lazy<bool> _cgroups;

    /// <summary>Creates a scope with the given key; <paramref name="cgroupParent"/> is internal for tests.</summary>
    internal ProcessScope(string key, string cgroupParent = CgroupParent)
    {
        Key = key;
        _cgroupRoot = Path.Combine(cgroupParent, "scope-" + key);
        _hierarchy = Path.GetDirectoryName(Path.GetFullPath(cgroupParent)) ?? cgroupParent;
        _cgroups = new Lazy<bool>(() => CgroupsWork(cgroupParent));
    }

    /// <summary>The scope's key: the same for every run of one stack directory.</summary>
    public string Key { get; }

    /// <summary>True when processes get cgroups (cgroup v1 pids hierarchy writable); otherwise only the environment marker.</summary>
    public bool UsesCgroups => _cgroups.Value;

    /// <summary>The scope of the stack whose state lives in <paramref name="stateDirectory"/>.</summary>
    public static ProcessScope ForStateDirectory(string stateDirectory)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(Path.GetFullPath(stateDirectory)));
        return new ProcessScope(Convert.ToHexStringLower(hash.AsSpan(0, 8)));
    }

    /// <summary>A new member: its marker value and, where cgroups work and <paramref name="cgroup"/>, its cgroup directory (created).</summary>
    internal (string Marker, string? Cgroup) Join(string name, bool cgroup = true)
    {
        var member = Sanitize(name) + "." + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4));
        return (Key + "/" + member, cgroup ? CreateCgroup(member) : null);
    }

    /// <summary>True when <paramref name="cgroupProcs"/> (a <c>cgroup.procs</c> file) is in the hierarchy of the scope's cgroups: a process that joins it leaves the scope's.</summary>
    internal bool SharesHierarchy(string cgroupProcs) =>
        UsesCgroups && cgroupProcs.StartsWith(_hierarchy + "/", StringComparison.Ordinal);

    private string? CreateCgroup(string member)
    {
        string? cgroup = null;
        if (UsesCgroups)
        {
            try
            {
                cgroup = Directory.CreateDirectory(Path.Combine(_cgroupRoot, member)).FullName;
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                cgroup = null;
            }
        }

        return cgroup;
    }

    /// <summary>Kills every process of one member (its cgroup and its marker) and removes its cgroup; returns how many it killed.</summary>
    internal int Sweep(string marker, string? cgroup) =>
        SweepCgroup(cgroup) + SweepEnvironment(value => value == marker);

    /// <summary>Kills every process the stack started, in any run, and removes the stack's cgroups; returns how many it killed.</summary>
    public int SweepAll()
    {
        var killed = 0;
        if (Directory.Exists(_cgroupRoot))
        {
            foreach (var member in SafeDirectories(_cgroupRoot))
            {
                killed += SweepCgroup(member);
            }

            TryRemove(_cgroupRoot);
        }

        return killed + SweepEnvironment(value => value.StartsWith(Key + "/", StringComparison.Ordinal));
    }

    /// <summary>Pids of live processes that carry this scope's marker (any member).</summary>
    public IReadOnlyList<int> FindMarked() => FindByEnvironment(value => value.StartsWith(Key + "/", StringComparison.Ordinal));

    private static int SweepCgroup(string? cgroup)
    {
        if (cgroup is null || !Directory.Exists(cgroup))
        {
            return 0;
        }

        // Kill until the cgroup is empty: a process may fork between the read and the kill, its child is then listed.
        var killed = new HashSet<int>();
        for (var round = 0; round < 50; round++)
        {
            var pids = CgroupFiles.Tasks(cgroup);
            if (pids.Count == 0)
            {
                break;
            }

            foreach (var pid in pids)
            {
                PosixSignals.Send(pid, PosixSignals.Cont);
                PosixSignals.Send(pid, PosixSignals.Kill);
                killed.Add(pid);
            }

            // Killed tasks leave the cgroup as they exit, which takes the kernel a moment.
            SpinWait.SpinUntil(() => CgroupFiles.Tasks(cgroup).Count == 0, TimeSpan.FromMilliseconds(100));
        }

        SpinWait.SpinUntil(() => TryRemove(cgroup), TimeSpan.FromMilliseconds(500));
        return killed.Count;
    }

    private static int SweepEnvironment(Func<string, bool> matches)
    {
        var killed = new HashSet<int>();
        for (var round = 0; round < 20; round++)
        {
            var found = FindByEnvironment(matches);
            if (found.Count == 0)
            {
                break;
            }

            foreach (var pid in found)
            {
                PosixSignals.Send(pid, PosixSignals.Cont);
                PosixSignals.Send(pid, PosixSignals.Kill);
                killed.Add(pid);
            }
        }

        return killed.Count;
    }

    /// <summary>Live (not zombie) processes, other than this one, whose environment's <see cref="Variable"/> matches.</summary>
    internal static IReadOnlyList<int> FindByEnvironment(Func<string, bool> matches)
    {
        var prefix = Encoding.UTF8.GetBytes(Variable + "=");
        var self = Environment.ProcessId;
        var found = new List<int>();
        foreach (var directory in SafeDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) || pid == self)
            {
                continue;
            }

            byte[] environ;
            try
            {
                environ = File.ReadAllBytes(Path.Combine(directory, "environ"));
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                continue;
            }

            if (MarkerIn(environ, prefix) is { } value && matches(value) && ProcessIdentity.StartTimeOf(pid) is not null)
            {
                found.Add(pid);
            }
        }

        return found;
    }

    /// <summary>The value of the marker variable in a NUL-separated environment block, or null; internal for tests.</summary>
    internal static string? MarkerIn(ReadOnlySpan<byte> environ, ReadOnlySpan<byte> prefix)
    {
        while (!environ.IsEmpty)
        {
            var end = environ.IndexOf((byte)0);
            var entry = end < 0 ? environ : environ[..end];
            if (entry.StartsWith(prefix))
            {
                return Encoding.UTF8.GetString(entry[prefix.Length..]);
            }

            environ = end < 0 ? [] : environ[(end + 1)..];
        }

        return null;
    }

    private static string[] SafeDirectories(string path)
    {
        try
        {
            return Directory.GetDirectories(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }

    private static bool TryRemove(string path)
    {
        try
        {
            Directory.Delete(path);
            return true;
        }
        catch (DirectoryNotFoundException)
        {
            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    private static bool CgroupsWork(string parent)
    {
        try
        {
            if (!File.Exists(Path.Combine(Path.GetDirectoryName(parent)!, "cgroup.procs")))
            {
                return false;
            }

            Directory.CreateDirectory(parent);
            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    private static string Sanitize(string name) =>
        string.Create(name.Length, name, static (span, s) =>
        {
            for (var i = 0; i < s.Length; i++)
            {
                var c = s[i];
                span[i] = char.IsAsciiLetterOrDigit(c) || c is '-' or '_' ? c : '_';
            }
        });
}
