using System.Security.Cryptography;
using System.Runtime.Versioning;
using System.Text;
using Shoal.Processes;

namespace Shoal.Functions.Agent.Identity;

/// <summary>
/// Makes a function's code readable by the user it runs as. Code the user can reach (every directory above it
/// searchable by others, the directory itself readable) runs where it is. Code it cannot reach (a checkout under
/// <c>/root</c>, mode 0700) is copied, as Lambda unpacks a package to <c>/var/task</c>, into a directory only root and
/// that user's group can read: under a randomly named root directory that others may traverse but not list, owned by
/// root with no write bit for the function, so the copy is read-only to it. A changed tree gets a fresh copy.
/// </summary>
internal sealed class CodeStaging : IDisposable
{
    private readonly Lock _lock = new();
    private string? _root;

    /// <summary>The directory the instance runs in: <paramref name="code"/> itself, or a read-only copy <paramref name="user"/> can read.</summary>
    /// <exception cref="ProcessStartException">The copy could not be made.</exception>
    public string Prepare(string code, ProcessUser? user)
    {
        if (user is null || OperatingSystem.IsWindows() || IsReachableByOthers(code))
        {
            return code;
        }

        lock (_lock)
        {
            try
            {
                return Stage(code, user);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                throw new ProcessStartException($"the code at {code} is not readable by {user.Name} (uid {user.Uid}) and could not be copied where it is: {ex.Message}. Make the directory and its parents readable (chmod o+rx), or move the code", ex);
            }
        }
    }

    /// <summary>True when every directory from / down to <paramref name="code"/> lets others search it and <paramref name="code"/> lets them list it.</summary>
    internal static bool IsReachableByOthers(string code)
    {
        var directory = new DirectoryInfo(code);
        if ((directory.UnixFileMode & (UnixFileMode.OtherRead | UnixFileMode.OtherExecute)) != (UnixFileMode.OtherRead | UnixFileMode.OtherExecute))
        {
            return false;
        }

        for (var parent = directory.Parent; parent is not null; parent = parent.Parent)
        {
            if ((parent.UnixFileMode & UnixFileMode.OtherExecute) == 0)
            {
                return false;
            }
        }

        return true;
    }

    public void Dispose()
    {
        lock (_lock)
        {
            if (_root is not null && Directory.Exists(_root))
            {
                Directory.Delete(_root, recursive: true);
            }

            _root = null;
        }
    }

    [UnsupportedOSPlatform("windows")]
    private string Stage(string code, ProcessUser user)
    {
        if (_root is null)
        {
            // A fresh, unpredictable directory made by this process (mkdtemp): nobody can have planted it.
            var root = Directory.CreateTempSubdirectory("shoal-code-");
            root.UnixFileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;
            _root = root.FullName;
        }

        var target = Path.Combine(_root, $"{Hash(code)}-{Fingerprint(code)}-{user.Gid}");
        if (Directory.Exists(target))
        {
            return target;
        }

        var partial = target + ".partial";
        if (Directory.Exists(partial))
        {
            Directory.Delete(partial, recursive: true);
        }

        Copy(new DirectoryInfo(code), partial, user.Gid);
        Directory.Move(partial, target);
        return target;
    }

    [UnsupportedOSPlatform("windows")]
    private static void Copy(DirectoryInfo source, string target, uint gid)
    {
        Directory.CreateDirectory(target);
        foreach (var entry in source.EnumerateFileSystemInfos())
        {
            var to = Path.Combine(target, entry.Name);
            if (entry.LinkTarget is { } link)
            {
                File.CreateSymbolicLink(to, link);
                continue;
            }

            if (entry is DirectoryInfo directory)
            {
                Copy(directory, to, gid);
                continue;
            }

            File.Copy(entry.FullName, to);
            var executable = (entry.UnixFileMode & UnixFileMode.UserExecute) != 0;
            Own(to, gid, executable ? ReadExecute : UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead);
        }

        Own(target, gid, ReadExecute);
    }

    private const UnixFileMode ReadExecute = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute;

    [UnsupportedOSPlatform("windows")]
    private static void Own(string path, uint gid, UnixFileMode mode)
    {
        // Root keeps ownership (the function cannot change its code); the function's group may read.
        if (PosixOwnership.Change(path, 0, gid) != 0)
        {
            throw new IOException($"cannot give {path} to group {gid}");
        }

        File.SetUnixFileMode(path, mode);
    }

    private static string Hash(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..16];

    /// <summary>Names, sizes and times of every file: a changed tree gets a new copy.</summary>
    private static string Fingerprint(string code)
    {
        var text = new StringBuilder();
        foreach (var file in new DirectoryInfo(code).EnumerateFileSystemInfos("*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0 }).OrderBy(f => f.FullName, StringComparer.Ordinal))
        {
            text.Append(file.FullName).Append('\0').Append((file as FileInfo)?.Length ?? -1).Append('\0').Append(file.LastWriteTimeUtc.Ticks).Append('\n');
        }

        return Hash(text.ToString());
    }
}
