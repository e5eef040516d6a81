using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Shoal.Processes;

/// <summary>Who this process runs as, and who is at the other end of a Unix socket (SO_PEERCRED).</summary>
public static partial class PosixUser
{
    private const int SolSocket = 1;
    private const int SoPeerCred = 17;

    /// <summary>This process's effective user id.</summary>
    public static uint EffectiveUserId() => GetEuid();

    /// <summary>The user id of the process at the other end of a connected Unix socket, or null when the kernel does not say.</summary>
    public static uint? PeerUserId(Socket socket)
    {
        ArgumentNullException.ThrowIfNull(socket);

        // struct ucred { pid_t pid; uid_t uid; gid_t gid; }
        Span<byte> credentials = stackalloc byte[12];
        try
        {
            return socket.GetRawSocketOption(SolSocket, SoPeerCred, credentials) == 12
                ? System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(credentials[4..])
                : null;
        }
        catch (SocketException)
        {
            return null;
        }
    }

    [LibraryImport("libc", EntryPoint = "geteuid")]
    private static partial uint GetEuid();
}
