using Shoal.Files;

namespace Shoal.Hosting;

/// <summary>What the daemon does to its state directory before it starts: private modes, the last run's logs set aside.</summary>
internal static class DaemonFiles
{
    /// <summary>
    /// Makes the state directory and what Shoal keeps in it (state, registry, logs, records, builds) private, also
    /// where an older version left them readable; the services' own data directories are theirs and left alone.
    /// </summary>
    public static void SecureStateDirectory(string stateDirectory)
    {
        PrivateFiles.CreateDirectory(stateDirectory);
        foreach (var entry in Directory.EnumerateFileSystemEntries(stateDirectory))
        {
            if (Path.GetFileName(entry) == "data")
            {
                PrivateFiles.CreateDirectory(entry);
            }
            else
            {
                PrivateFiles.TightenTree(entry);
            }
        }
    }

    /// <summary>Moves the last run's logs to previous/ beside them, so <c>logs</c> shows this run only.</summary>
    public static void KeepPreviousLogs(string logDirectory)
    {
        if (!Directory.Exists(logDirectory))
        {
            return;
        }

        var previous = PrivateFiles.CreateDirectory(Path.Combine(logDirectory, "previous"));
        foreach (var old in Directory.GetFiles(previous))
        {
            File.Delete(old);
        }

        foreach (var log in Directory.GetFiles(logDirectory, "*.log"))
        {
            File.Move(log, Path.Combine(previous, Path.GetFileName(log)));
        }
    }
}
