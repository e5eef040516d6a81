using System.Diagnostics;
using System.Globalization;

namespace Shoal.Processes.Tests;

/// <summary>Hostile checks from inside an isolating runtime: what an instance must not read, see or signal.</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public abstract class IsolationTests : RuntimeTestBase
{
    private readonly string _outside = System.IO.Directory.CreateTempSubdirectory("shoal-outside-").FullName;

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        System.IO.Directory.Delete(_outside, recursive: true);
    }

    [Fact]
    public async Task Inside_ShadowOtherCodeStateAndProcesses_AreOutOfReach()
    {
        var otherCode = System.IO.Directory.CreateDirectory(Path.Combine(_outside, "other-fn")).FullName;
        await File.WriteAllTextAsync(Path.Combine(otherCode, "index.js"), "secret");
        var state = System.IO.Directory.CreateDirectory(Path.Combine(Directory, ".shoal")).FullName;
        await File.WriteAllTextAsync(Path.Combine(state, "admin-token"), "secret");
        var outsideState = System.IO.Directory.CreateDirectory(Path.Combine(_outside, ".shoal")).FullName;
        await File.WriteAllTextAsync(Path.Combine(outsideState, "admin-token"), "secret");
        using var neighbour = Process.Start("/bin/sleep", "60");
        try
        {
            var script = string.Join("; ", [
                "cat /etc/shadow >/dev/null 2>&1 && echo shadow-read || echo shadow-denied",
                $"[ -e {otherCode}/index.js ] && echo other-visible || echo other-hidden",
                $"[ -e {state}/admin-token ] && echo state-visible || echo state-hidden",
                $"[ -e {outsideState}/admin-token ] && echo outside-state-visible || echo outside-state-hidden",
                $"kill -0 {neighbour.Id.ToString(CultureInfo.InvariantCulture)} 2>/dev/null && echo signal-sent || echo signal-failed",
                "echo procs=$(ls /proc | grep -c '^[0-9]')",
                "touch /usr/shoal-probe 2>/dev/null && echo usr-writable || echo usr-readonly",
            ]);

            var lines = (await RunAsync(Shell(script))).Split('\n');

            Assert.Equal(["shadow-denied", "other-hidden", "state-hidden", "outside-state-hidden", "signal-failed"], lines[..5]);
            Assert.InRange(int.Parse(lines[5]["procs=".Length..], CultureInfo.InvariantCulture), 1, 6);
            Assert.Equal("usr-readonly", lines[6]);
            Assert.False(neighbour.HasExited);
        }
        finally
        {
            neighbour.Kill();
        }
    }

    [Fact]
    public async Task Tmp_IsPrivateToEachInstance()
    {
        var mark = "shoal-private-" + Guid.NewGuid().ToString("N");

        Assert.Equal("written\n", await RunAsync(Shell($"echo x > /tmp/{mark} && echo written")));
        Assert.Equal("absent\n", await RunAsync(Shell($"[ -e /tmp/{mark} ] && echo present || echo absent")));
        Assert.False(File.Exists(Path.Combine("/tmp", mark)));
    }

    [Fact]
    public async Task ReadOnlyWorkingDirectory_CannotBeWritten_ButIsAtTheSamePath()
    {
        await File.WriteAllTextAsync(Path.Combine(Directory, "handler.sh"), "echo handled\n");
        var spec = Shell($"sh {Directory}/handler.sh; pwd; touch {Directory}/x 2>/dev/null && echo writable || echo readonly") with
        {
            Isolation = new IsolationOptions { ReadOnlyWorkingDirectory = true },
        };

        Assert.Equal($"handled\n{Directory}\nreadonly\n", await RunAsync(spec));
    }

    [Fact]
    public async Task User_IsSwitchedInside()
    {
        var nobody = ProcessUsers.Resolve("nobody");

        var output = await RunAsync(Shell("id -u; cat /proc/self/status | grep NoNewPrivs") with { User = nobody });

        Assert.Equal($"{nobody.Uid.ToString(CultureInfo.InvariantCulture)}\nNoNewPrivs:\t1\n", output);
    }

    [Fact]
    public async Task UnprivilegedUser_ReadsTheSystemFilesProgramsNeed_AndWritesTmp()
    {
        // Node.js reads /etc/ssl/openssl.cnf at start: a directory above a bound entry left 0700 stops it (exit 13).
        var nobody = ProcessUsers.Resolve("nobody");

        var output = await RunAsync(Shell("cat /etc/ssl/openssl.cnf >/dev/null && echo ssl; ls /etc/ssl/certs >/dev/null && echo certs; touch /tmp/x && echo tmp") with { User = nobody });

        Assert.Equal("ssl\ncerts\ntmp\n", output);
    }
}
