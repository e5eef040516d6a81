using System.Runtime.InteropServices;

namespace Shoal.Functions.Agent.Identity;

/// <summary>chown(2), which .NET does not offer.</summary>
internal static partial class PosixOwnership
{
    /// <summary>Gives <paramref name="path"/> (not following a symbolic link) to <paramref name="uid"/>:<paramref name="gid"/>; 0 on success.</summary>
    public static int Change(string path, uint uid, uint gid) => LChown(path, uid, gid);

    [LibraryImport("libc", EntryPoint = "lchown", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int LChown(string path, uint uid, uint gid);
}
