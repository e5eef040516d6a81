namespace Shoal.Processes.Tests;

/// <summary>
/// <c>user:</c> on the bare process runtime (the daemon is root here): what it protects (root-only files) and, so that
/// the documentation stays true, what it does not (the other processes of the machine stay visible).
/// </summary>
[Collection(RealRuntimes.Collection)]
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class UserSwitchTests : RuntimeTestBase
{
    private readonly ProcessUser _nobody = ProcessUsers.Resolve("nobody");

    protected override IProcessRuntime Runtime { get; } = new CgroupProcessRuntime(new HostProcessRuntime(TimeProvider.System), CgroupDrivers.Detect());

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task User_CannotReadShadowOrAPrivateDirectory_ButSeesOtherProcesses(bool limited)
    {
        var secret = Path.Combine(Directory, "secret");
        System.IO.Directory.CreateDirectory(secret);
        File.SetUnixFileMode(secret, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var script = $"id -u; id -G; cat /etc/shadow >/dev/null 2>&1 && echo shadow-read || echo shadow-denied; ls {secret} >/dev/null 2>&1 && echo secret-read || echo secret-denied; [ -e /proc/{Environment.ProcessId}/stat ] && echo host-visible; cat /proc/self/cgroup";
        var spec = Shell(script, limited ? ResourceLimits.None with { MaxProcesses = 64 } : null) with { User = _nobody };

        var output = await RunAsync(spec);

        var lines = output.Split('\n');
        Assert.Equal(_nobody.Uid.ToString(System.Globalization.CultureInfo.InvariantCulture), lines[0]);
        Assert.Equal(_nobody.Gid.ToString(System.Globalization.CultureInfo.InvariantCulture), lines[1]);
        Assert.Contains("shadow-denied", lines);
        Assert.Contains("secret-denied", lines);
        Assert.Contains("host-visible", lines);
        Assert.Equal(limited, output.Contains(":pids:/shoal/", StringComparison.Ordinal));
    }

    [Fact]
    public async Task User_TheLogFileStaysRoots()
    {
        var spec = Shell("echo hello", null) with { User = _nobody };

        Assert.Equal("hello\n", await RunAsync(spec));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(spec.LogFile));
    }
}
