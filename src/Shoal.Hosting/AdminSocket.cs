using System.Net.Sockets;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Shoal.Processes;

namespace Shoal.Hosting;

/// <summary>
/// The admin API's Unix socket, <c>.shoal/admin.sock</c>: mode 0600, and a connection is served only when the kernel
/// says its peer is this process's own user (or root), so the file mode is not the only guard. Requests on it are
/// trusted as the owner's.
/// </summary>
public static class AdminSocket
{
    /// <summary>The longest path a Unix socket address holds (sun_path, with its terminating NUL).</summary>
    private const int MaxPathBytes = 107;

    /// <summary>The socket of the stack whose state lives in <paramref name="stateDirectory"/>.</summary>
    public static string PathIn(string stateDirectory) => Path.Combine(stateDirectory, "admin.sock");

    /// <summary>True when <paramref name="path"/> fits in a socket address.</summary>
    public static bool Fits(string path) => System.Text.Encoding.UTF8.GetByteCount(path) <= MaxPathBytes;

    /// <summary>Kestrel's address for the socket; a stale socket file a killed daemon left behind is removed first.</summary>
    public static string Url(string path)
    {
        if (File.Exists(path))
        {
            File.Delete(path);
        }

        return "http://unix:" + path;
    }

    /// <summary>On the socket's endpoint, serves only connections from this process's own user (or root).</summary>
    public static void Guard(ListenOptions listen)
    {
        ArgumentNullException.ThrowIfNull(listen);
        if (listen.SocketPath is null)
        {
            return;
        }

        var owner = PosixUser.EffectiveUserId();
        listen.Use(next => connection =>
        {
            var socket = connection.Features.Get<IConnectionSocketFeature>()?.Socket;
            var peer = socket is null ? null : PosixUser.PeerUserId(socket);
            if (peer is not { } uid || (uid != owner && uid != 0))
            {
                connection.Abort(new ConnectionAbortedException("the admin socket serves its owner only"));
                return Task.CompletedTask;
            }

            return next(connection);
        });
    }

    /// <summary>Restricts the socket file to its owner, once Kestrel has created it.</summary>
    public static void Protect(string path)
    {
        if (!OperatingSystem.IsWindows() && File.Exists(path))
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
    }

    /// <summary>Removes the socket file once nothing listens on it.</summary>
    public static void Remove(string? path)
    {
        if (path is not null && File.Exists(path))
        {
            File.Delete(path);
        }
    }

    /// <summary>Opens a connection to the socket; throws when there is none or it is not ours to use.</summary>
    public static async ValueTask<Stream> ConnectAsync(string path, CancellationToken cancellationToken)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(path), cancellationToken).ConfigureAwait(false);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
