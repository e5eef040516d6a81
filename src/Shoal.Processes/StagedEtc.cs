namespace Shoal.Processes;

/// <summary>
/// The sandbox's /etc, copied once per daemon from the host's <see cref="SandboxProcessRuntime.EtcEntries"/> into a
/// directory bound read-only over /etc: one bind mount instead of one per entry, which made up about 6 ms of every
/// sandboxed start. Links into /usr stay links (the sandbox has /usr); any other link is copied as what it points to,
/// as a bind mount of it would show it.
/// </summary>
/// <remarks>
/// The copy is taken when the first sandbox starts: a host file changed later (resolv.conf) shows in sandboxes after
/// the daemon restarts. It is not removed when the daemon exits, since its sandboxes may outlive it (deleting the
/// source of a bind mount empties the mount); the next daemon removes the copies of daemons that are gone.
/// </remarks>
internal static class StagedEtc
{
    private const string Prefix = "shoal-etc-";

    private static readonly Lazy<string> s_directory = new(Stage, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>The staged directory (made on first use).</summary>
    public static string Directory => s_directory.Value;

    private static string Stage()
    {
        RemoveLeftovers();
        var root = System.IO.Directory.CreateTempSubdirectory(Prefix + Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture) + "-").FullName;
        if (!OperatingSystem.IsWindows())
        {
            // Every user reads /etc (passwd, hosts), none writes it.
            File.SetUnixFileMode(root, (UnixFileMode)0b111_101_101);
        }

        foreach (var entry in SandboxProcessRuntime.EtcEntries)
        {
            var source = "/etc/" + entry;
            if (File.Exists(source) || System.IO.Directory.Exists(source))
            {
                Copy(source, Path.Combine(root, entry));
            }
        }

        return root;
    }

    private static void Copy(string source, string target)
    {
        if (Path.GetDirectoryName(target) is { } parent && !System.IO.Directory.Exists(parent))
        {
            System.IO.Directory.CreateDirectory(parent);
            SetMode(parent, 0b111_101_101);
        }

        var info = new FileInfo(source);
        if (info.LinkTarget is { } link && info.ResolveLinkTarget(returnFinalTarget: true) is { } final
            && final.FullName.StartsWith("/usr/", StringComparison.Ordinal))
        {
            File.CreateSymbolicLink(target, link);
        }
        else if (System.IO.Directory.Exists(source))
        {
            System.IO.Directory.CreateDirectory(target);
            SetMode(target, 0b111_101_101);
            foreach (var child in System.IO.Directory.EnumerateFileSystemEntries(source))
            {
                Copy(child, Path.Combine(target, Path.GetFileName(child)));
            }
        }
        else if (File.Exists(source))
        {
            File.Copy(source, target);
            SetMode(target, 0b110_100_100);
        }
    }

    private static void SetMode(string path, int mode)
    {
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, (UnixFileMode)mode);
        }
    }

    private static void RemoveLeftovers()
    {
        foreach (var directory in System.IO.Directory.EnumerateDirectories(Path.GetTempPath(), Prefix + "*"))
        {
            var name = Path.GetFileName(directory).AsSpan(Prefix.Length);
            var dash = name.IndexOf('-');
            if (dash > 0 && int.TryParse(name[..dash], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var pid)
                && pid != Environment.ProcessId && !System.IO.Directory.Exists("/proc/" + pid.ToString(System.Globalization.CultureInfo.InvariantCulture))
                && new DirectoryInfo(directory).LinkTarget is null)
            {
                try
                {
                    System.IO.Directory.Delete(directory, recursive: true);
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                }
            }
        }
    }
}
