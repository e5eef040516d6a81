using System.Runtime.Versioning;

namespace Shoal.Hosting.Tests;

[UnsupportedOSPlatform("windows")]
public sealed class DaemonFilesTests : IDisposable
{
    private const UnixFileMode Readable = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
    private readonly string _directory = Directory.CreateTempSubdirectory("shoal-state-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void SecureStateDirectory_OlderReadableFiles_TightenedButServiceDataLeftAlone()
    {
        var state = Path.Combine(_directory, "state.json");
        var data = Path.Combine(_directory, "data", "api", "db.sqlite");
        Directory.CreateDirectory(Path.GetDirectoryName(data)!);
        File.WriteAllText(state, "{}");
        File.WriteAllText(data, "");
        File.SetUnixFileMode(state, Readable);
        File.SetUnixFileMode(data, Readable);

        DaemonFiles.SecureStateDirectory(_directory);

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(state));
        Assert.Equal(Readable, File.GetUnixFileMode(data));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(_directory));
    }

    [Fact]
    public void KeepPreviousLogs_LastRunsLogs_MovedToPreviousReplacingOlder()
    {
        var logs = Path.Combine(_directory, "logs");
        Directory.CreateDirectory(Path.Combine(logs, "previous"));
        File.WriteAllText(Path.Combine(logs, "previous", "old.log"), "");
        File.WriteAllText(Path.Combine(logs, "api-1.log"), "last run");

        DaemonFiles.KeepPreviousLogs(logs);

        Assert.Empty(Directory.GetFiles(logs));
        Assert.Equal(["api-1.log"], Directory.GetFiles(Path.Combine(logs, "previous")).Select(Path.GetFileName));
    }
}
