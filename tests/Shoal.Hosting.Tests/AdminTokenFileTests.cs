using System.Runtime.Versioning;

namespace Shoal.Hosting.Tests;

[UnsupportedOSPlatform("windows")]
public sealed class AdminTokenFileTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("shoal-token-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void Establish_NoneConfigured_WritesNewOwnerOnlyToken()
    {
        var token = AdminTokenFile.Establish(_directory, configured: null);

        Assert.True(token.Length >= 40);
        Assert.Equal(token, AdminTokenFile.TryRead(_directory));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(AdminTokenFile.PathIn(_directory)));
    }

    [Fact]
    public void Establish_EveryUp_NewToken()
    {
        var first = AdminTokenFile.Establish(_directory, configured: null);
        var second = AdminTokenFile.Establish(_directory, configured: null);

        Assert.NotEqual(first, second);
        Assert.Equal(second, AdminTokenFile.TryRead(_directory));
    }

    [Fact]
    public void Reader_DaemonStartedAgain_SendsTheNewToken()
    {
        // `up -d` after a kill -9: the client's first poll can read the dead daemon's token before the new daemon replaces it.
        var stale = AdminTokenFile.Establish(_directory, configured: null);
        var reader = AdminTokenFile.Reader(configured: null, _directory);
        Assert.Equal(stale, reader());

        var fresh = AdminTokenFile.Establish(_directory, configured: null);

        Assert.Equal(fresh, reader());
    }

    [Fact]
    public void Reader_Configured_SendsItWhateverTheFileSays()
    {
        AdminTokenFile.Establish(_directory, configured: null);

        Assert.Equal("configured-token", AdminTokenFile.Reader("configured-token", _directory)());
    }

    [Fact]
    public void Establish_Configured_ReturnsItAndRemovesOldFile()
    {
        AdminTokenFile.Establish(_directory, configured: null);

        var token = AdminTokenFile.Establish(_directory, "configured-token");

        Assert.Equal("configured-token", token);
        Assert.False(File.Exists(AdminTokenFile.PathIn(_directory)));
        Assert.Null(AdminTokenFile.TryRead(_directory));
    }
}
