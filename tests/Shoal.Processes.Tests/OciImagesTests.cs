using System.Text;

namespace Shoal.Processes.Tests;

[Collection(RealRuntimes.Collection)]
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class OciImagesTests : RuntimeTestBase
{
    private readonly string _state = System.IO.Directory.CreateTempSubdirectory("shoal-oci-").FullName;

    public OciImagesTests() => Runtime = OciProcessRuntime.Create(TimeProvider.System, null, _state);

    protected override IProcessRuntime Runtime { get; }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        System.IO.Directory.Delete(_state, recursive: true);
    }

    [Fact]
    public async Task DirectoryImage_IsTheRoot_NotTheHost()
    {
        var rootfs = Path.Combine(_state, "plain");
        System.IO.Directory.CreateDirectory(rootfs);
        foreach (var (name, content, link) in OciImageBuilder.Busybox())
        {
            var path = Path.Combine(rootfs, name);
            if (link is not null)
            {
                File.CreateSymbolicLink(path, link);
            }
            else if (content is null)
            {
                System.IO.Directory.CreateDirectory(path);
            }
            else
            {
                await File.WriteAllBytesAsync(path, content);
                File.SetUnixFileMode(path, (UnixFileMode)0b111_101_101);
            }
        }

        var output = await RunAsync(Shell("[ -e /usr/share/dotnet ] && echo host || echo image; ls /bin/busybox") with { Isolation = new IsolationOptions { Image = rootfs } });

        Assert.Equal("image\n/bin/busybox\n", output);
    }

    [Fact]
    public async Task LayoutTarball_AppliesLayersInOrder_HonoursWhiteouts_AndUnpacksOnce()
    {
        var lower = OciImageBuilder.Layer([.. OciImageBuilder.Busybox(), ("etc/", null, null), ("etc/removed", "x"u8.ToArray(), null), ("opaque/", null, null), ("opaque/a", "a"u8.ToArray(), null), ("keep", "lower"u8.ToArray(), null)]);
        var upper = OciImageBuilder.Layer([("etc/.wh.removed", [], null), ("opaque/.wh..wh..opq", [], null), ("opaque/b", "b"u8.ToArray(), null), ("keep", "upper"u8.ToArray(), null)], gzip: true);
        var layout = System.IO.Directory.CreateDirectory(Path.Combine(_state, "layout")).FullName;
        OciImageBuilder.Layout(layout, [lower, upper]);
        var tarball = Path.Combine(_state, "image.tar");
        OciImageBuilder.Tarball(layout, tarball);
        var spec = Shell("[ -e /etc/removed ] && echo present || echo gone; ls /opaque; cat /keep") with { Isolation = new IsolationOptions { Image = tarball } };

        Assert.Equal("gone\nb\nupper", await RunAsync(spec));
        Assert.Equal("gone\nb\nupper", await RunAsync(spec with { LogFile = spec.LogFile + ".2" }));
        Assert.Single(System.IO.Directory.GetDirectories(Path.Combine(_state, "images", "rootfs")));
        Assert.Equal("gone\nb\nupper", await RunAsync(spec with { LogFile = spec.LogFile + ".3", Isolation = new IsolationOptions { Image = layout } }));
    }

    [Theory]
    [InlineData("symlink")]
    [InlineData("dotdot")]
    public async Task HostileLayer_CannotWriteOutsideTheRoot(string attack)
    {
        var target = System.IO.Directory.CreateTempSubdirectory("shoal-target-").FullName;
        try
        {
            var entries = attack == "symlink"
                ? new List<(string, byte[]?, string?)> { ("escape", null, target), ("escape/pwned", "x"u8.ToArray(), null) }
                : [("../../../../../../.." + target + "/pwned", Encoding.UTF8.GetBytes("x"), null)];
            var layout = System.IO.Directory.CreateDirectory(Path.Combine(_state, "hostile")).FullName;
            OciImageBuilder.Layout(layout, [OciImageBuilder.Layer([.. OciImageBuilder.Busybox(), .. entries])]);

            var error = await Assert.ThrowsAsync<ProcessStartException>(() => Runtime.StartAsync(Shell("true") with { Isolation = new IsolationOptions { Image = layout } }, CancellationToken.None).AsTask());

            Assert.Contains("cannot prepare the image", error.Message, StringComparison.Ordinal);
            Assert.False(File.Exists(Path.Combine(target, "pwned")));
        }
        finally
        {
            System.IO.Directory.Delete(target, recursive: true);
        }
    }
}
