using System.Formats.Tar;
using System.Runtime.InteropServices;

namespace Shoal.Processes;

/// <summary>Applies one image layer (a tar) onto a root file system, whiteouts included, refusing entries that would land outside it.</summary>
internal static partial class OciLayer
{
    private const string Whiteout = ".wh.";
    private const string OpaqueWhiteout = ".wh..wh..opq";

    public static void Apply(Stream layer, string root)
    {
        using var reader = new TarReader(layer);
        while (reader.GetNextEntry() is { } entry)
        {
            var name = Normalize(entry.Name);
            if (name.Length == 0)
            {
                continue;
            }

            var path = Inside(root, name);
            var fileName = Path.GetFileName(name);
            if (fileName == OpaqueWhiteout)
            {
                // The directory's lower contents are hidden: empty it, keep it.
                foreach (var child in new DirectoryInfo(Path.GetDirectoryName(path)!).EnumerateFileSystemInfos())
                {
                    Delete(child.FullName);
                }

                continue;
            }

            if (fileName.StartsWith(Whiteout, StringComparison.Ordinal))
            {
                Delete(Path.Combine(Path.GetDirectoryName(path)!, fileName[Whiteout.Length..]));
                continue;
            }

            switch (entry.EntryType)
            {
                case TarEntryType.Directory:
                    if (!Directory.Exists(path))
                    {
                        Delete(path);
                        Directory.CreateDirectory(path);
                    }

                    break;
                case TarEntryType.RegularFile or TarEntryType.V7RegularFile or TarEntryType.ContiguousFile:
                    Delete(path);
                    Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                    entry.ExtractToFile(path, overwrite: true);
                    break;
                case TarEntryType.SymbolicLink:
                    Delete(path);
                    Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                    File.CreateSymbolicLink(path, entry.LinkName);
                    break;
                case TarEntryType.HardLink:
                    Delete(path);
                    Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                    File.Copy(Inside(root, Normalize(entry.LinkName)), path);
                    break;
                default:
                    // Devices and fifos: the runtime gives /dev its own; nothing else in an image needs them.
                    continue;
            }

            if (entry.EntryType != TarEntryType.SymbolicLink && !OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(path, entry.Mode);
            }

            // Files keep their owners, so an image's unprivileged user can write what is its own.
            _ = Lchown(path, entry.Uid, entry.Gid);
        }
    }

    /// <summary>The entry's path under <paramref name="root"/>; throws when it would leave it (<c>..</c>, or a parent that is a symbolic link).</summary>
    internal static string Inside(string root, string name)
    {
        var path = root;
        var parts = name.Split('/', StringSplitOptions.RemoveEmptyEntries);
        for (var i = 0; i < parts.Length; i++)
        {
            if (parts[i] == "..")
            {
                throw new InvalidDataException($"layer entry '{name}' leaves the root file system.");
            }

            path = Path.Combine(path, parts[i]);
            if (i < parts.Length - 1 && new FileInfo(path).LinkTarget is not null)
            {
                throw new InvalidDataException($"layer entry '{name}' goes through a symbolic link.");
            }
        }

        return path;
    }

    private static string Normalize(string name)
    {
        var trimmed = name.TrimStart('/');
        while (trimmed.StartsWith("./", StringComparison.Ordinal))
        {
            trimmed = trimmed[2..];
        }

        return trimmed == "." ? "" : trimmed.TrimEnd('/');
    }

    private static void Delete(string path)
    {
        var info = new FileInfo(path);
        if (info.LinkTarget is not null || File.Exists(path))
        {
            File.Delete(path);
        }
        else if (Directory.Exists(path))
        {
            Directory.Delete(path, recursive: true);
        }
    }

    [LibraryImport("libc", EntryPoint = "lchown", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int Lchown(string path, int owner, int group);
}
