namespace Shoal.Files;

/// <summary>
/// Files and directories only their owner may read: Shoal's state directory holds the registry (with deployments'
/// environment), logs and process records. Modes are given at creation, never fixed up after, so there is no moment
/// in which another user can open them; files left by older runs are tightened.
/// </summary>
public static class PrivateFiles
{
    /// <summary>rwx for the owner only (0700).</summary>
    public const UnixFileMode DirectoryMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    /// <summary>rw for the owner only (0600).</summary>
    public const UnixFileMode FileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    private const UnixFileMode GroupAndOthers =
        UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute |
        UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    /// <summary>Creates a directory (and missing parents) 0700, or tightens an existing one to 0700; returns its full path.</summary>
    public static string CreateDirectory(string path)
    {
        var full = Path.GetFullPath(path);
        if (OperatingSystem.IsWindows())
        {
            return Directory.CreateDirectory(full).FullName;
        }

        if (Directory.Exists(full))
        {
            Tighten(full);
            return full;
        }

        // Missing parents are created 0700 too (CreateDirectory gives the mode to the last one only): they only exist for this directory.
        var missing = new Stack<string>();
        for (var at = full; at is not null && !Directory.Exists(at); at = Path.GetDirectoryName(at))
        {
            missing.Push(at);
        }

        foreach (var directory in missing)
        {
            Directory.CreateDirectory(directory, DirectoryMode);
        }

        return full;
    }

    /// <summary>Opens a file for writing, created 0600 (or tightened when it exists); a missing parent is created 0700, an existing one left as it is.</summary>
    public static FileStream OpenWrite(string path, System.IO.FileMode mode = System.IO.FileMode.Create)
    {
        var parent = Path.GetDirectoryName(Path.GetFullPath(path))!;
        var options = new FileStreamOptions { Mode = mode, Access = FileAccess.Write, Share = FileShare.ReadWrite | FileShare.Delete };
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(parent);
            return new FileStream(path, options);
        }

        if (!Directory.Exists(parent))
        {
            CreateDirectory(parent);
        }

        options.UnixCreateMode = FileMode;
        var stream = new FileStream(path, options);
        Tighten(path);
        return stream;
    }

    /// <summary>Writes a whole text file created 0600.</summary>
    public static void WriteAllText(string path, string contents)
    {
        using var stream = OpenWrite(path);
        using var writer = new StreamWriter(stream);
        writer.Write(contents);
    }

    /// <summary>Makes sure a file exists, 0600 (created empty, or tightened), without changing its contents.</summary>
    public static void Touch(string path)
    {
        using var stream = OpenWrite(path, System.IO.FileMode.Append);
    }

    /// <summary>
    /// Takes group and other permissions away from a file, or a directory and everything under it (the owner's bits
    /// stay, so built programs keep their execute bit); what an older Shoal left readable is private after this.
    /// Symbolic links are not followed.
    /// </summary>
    public static void TightenTree(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        if (File.Exists(path) && !Directory.Exists(path))
        {
            Tighten(path);
            return;
        }

        if (!Directory.Exists(path))
        {
            return;
        }

        Tighten(path);
        var options = new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = true, AttributesToSkip = FileAttributes.ReparsePoint };
        foreach (var entry in new DirectoryInfo(path).EnumerateFileSystemInfos("*", options))
        {
            try
            {
                if ((entry.UnixFileMode & GroupAndOthers) != 0)
                {
                    entry.UnixFileMode &= ~GroupAndOthers;
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // A file that vanished meanwhile, or one another user owns: nothing to tighten here.
            }
        }
    }

    private static void Tighten(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        var mode = File.GetUnixFileMode(path);
        if ((mode & GroupAndOthers) != 0)
        {
            File.SetUnixFileMode(path, mode & ~GroupAndOthers);
        }
    }
}
