namespace Shoal.Processes.Tests;

[Collection(RealRuntimes.Collection)]
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class SandboxIsolationTests : IsolationTests
{
    protected override IProcessRuntime Runtime { get; } = SandboxProcessRuntime.Create(TimeProvider.System);

    [Fact]
    public void Create_WithoutBubblewrap_NamesThePackage()
    {
        var error = Assert.Throws<ProcessStartException>(() => SandboxProcessRuntime.Create(TimeProvider.System, bwrap: "/nonexistent/bwrap"));

        Assert.Equal("runtime 'sandbox' needs bubblewrap: apt-get install bubblewrap", error.Message);
    }

    [Fact]
    public void Name_SaysTheCgroups()
    {
        Assert.Equal("sandbox+cgroup-v1", Runtime.Name);
    }

    [Fact]
    public async Task Etc_HoldsTheListedEntriesOnly_ReadOnly_AndReadableByEveryone()
    {
        var script = string.Join("; ", [
            "echo etc=$(ls /etc | tr '\\n' ' ')",
            "echo ssl=$(ls /etc/ssl | tr '\\n' ' ')",
            "touch /etc/shoal-probe 2>/dev/null && echo etc-writable || echo etc-readonly",
            "setpriv --reuid=65534 --regid=65534 --clear-groups sh -c 'grep -q ^root: /etc/passwd && echo passwd-readable || echo passwd-unreadable'",
        ]);

        var lines = (await RunAsync(Shell(script))).Split('\n', StringSplitOptions.RemoveEmptyEntries);

        var listed = SandboxProcessRuntime.EtcEntries.Select(e => e.Split('/')[0]).Where(e => File.Exists("/etc/" + e) || System.IO.Directory.Exists("/etc/" + e)).Distinct().Order(StringComparer.Ordinal);
        Assert.Equal(string.Join(' ', listed), lines[0]["etc=".Length..].Trim());
        Assert.Equal("ssl=certs openssl.cnf", lines[1].Trim());
        Assert.Equal(["etc-readonly", "passwd-readable"], lines[2..]);
    }
}
