using Shoal.Http;

namespace Shoal.Hosting;

/// <summary>
/// <c>.shoal/admin.token</c>: the admin token <c>up</c> generates when the stack file and the environment set none,
/// created owner-only (0600) from the start, so scripts and the CLI on TCP can read it and nobody else can.
/// </summary>
public static class AdminTokenFile
{
    /// <summary>The token file of the stack whose state lives in <paramref name="stateDirectory"/>.</summary>
    public static string PathIn(string stateDirectory) => Path.Combine(stateDirectory, "admin.token");

    /// <summary>
    /// The token the daemon requires: <paramref name="configured"/> when set (and no file is left to mislead), else a new
    /// random one written to the file. A new one every <c>up</c>: a token read by someone before stays useless after.
    /// </summary>
    public static string Establish(string stateDirectory, string? configured)
    {
        var path = PathIn(stateDirectory);
        File.Delete(path);
        if (!string.IsNullOrEmpty(configured))
        {
            return configured;
        }

        Directory.CreateDirectory(stateDirectory);
        var token = AdminAuthentication.NewToken();

        // CreateNew (O_EXCL) with the mode given at creation: no moment when the file is readable by others, and a
        // file or link someone slipped in since the delete is refused rather than written through.
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var file = new FileStream(path, options))
        using (var writer = new StreamWriter(file))
        {
            writer.Write(token);
        }

        return token;
    }

    /// <summary>
    /// The token a client of this stack sends: <paramref name="configured"/> (the file's or <c>SHOAL_ADMIN_TOKEN</c>) when
    /// set, else the token file's, read again at every call: a daemon started again (after a crash, say) writes a new one,
    /// and a client that kept the old one would be refused for as long as it polls.
    /// </summary>
    public static Func<string?> Reader(string? configured, string stateDirectory) =>
        string.IsNullOrEmpty(configured) ? () => TryRead(stateDirectory) : () => configured;

    /// <summary>The token in the file, or null when there is none or it cannot be read (another user's).</summary>
    public static string? TryRead(string stateDirectory)
    {
        try
        {
            return File.ReadAllText(PathIn(stateDirectory)).Trim() is { Length: > 0 } token ? token : null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
