using Shoal.Orchestration.Backing;

namespace Shoal.Orchestration.Tests.Backing;

/// <summary><c>down --volumes</c>: everything under .shoal/volumes/ goes, nothing outside it, also through a symbolic link.</summary>
public sealed class BackingVolumesTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("shoal-volumes-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void Remove_TakesEveryVolume_AndLeavesTheRestOfTheStateDirectory()
    {
        var state = Path.Combine(_directory, ".shoal");
        Directory.CreateDirectory(Path.Combine(state, "volumes", "db", "data"));
        File.WriteAllText(Path.Combine(state, "volumes", "db", "data", "PG_VERSION"), "15");
        Directory.CreateDirectory(Path.Combine(state, "volumes", "cache"));
        Directory.CreateDirectory(Path.Combine(state, "data", "app"));

        Assert.Equal(["cache", "db"], BackingVolumes.Remove(state));
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(state, "volumes")));
        Assert.True(Directory.Exists(Path.Combine(state, "data", "app")));
        Assert.Empty(BackingVolumes.Remove(Path.Combine(_directory, "no-state")));
    }

    [Fact]
    public void Remove_ASymbolicLinkInVolumes_IsRemovedNotFollowed()
    {
        var outside = Directory.CreateDirectory(Path.Combine(_directory, "precious")).FullName;
        File.WriteAllText(Path.Combine(outside, "keep.txt"), "data");
        var state = Path.Combine(_directory, ".shoal");
        Directory.CreateDirectory(Path.Combine(state, "volumes"));
        Directory.CreateSymbolicLink(Path.Combine(state, "volumes", "evil"), outside);

        Assert.Equal(["evil"], BackingVolumes.Remove(state));
        Assert.True(File.Exists(Path.Combine(outside, "keep.txt")));
    }

    [Fact]
    public void Remove_VolumesItselfALink_RemovesNothing()
    {
        var outside = Directory.CreateDirectory(Path.Combine(_directory, "elsewhere", "db")).FullName;
        var state = Directory.CreateDirectory(Path.Combine(_directory, ".shoal")).FullName;
        Directory.CreateSymbolicLink(Path.Combine(state, "volumes"), Path.GetDirectoryName(outside)!);

        Assert.Empty(BackingVolumes.Remove(state));
        Assert.True(Directory.Exists(outside));
    }
}
