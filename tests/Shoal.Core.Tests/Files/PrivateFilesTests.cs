using System.Runtime.Versioning;
using Shoal.Files;

namespace Shoal.Core.Tests.Files;

[UnsupportedOSPlatform("windows")]
public sealed class PrivateFilesTests
{
    private const UnixFileMode Owner = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private readonly string _root = Directory.CreateTempSubdirectory("shoal-private-").FullName;

    [Fact]
    public void CreateDirectory_MissingParents_AreAll0700()
    {
        var path = Path.Combine(_root, "a", "b", "c");

        PrivateFiles.CreateDirectory(path);

        Assert.Equal(Owner, File.GetUnixFileMode(Path.Combine(_root, "a")));
        Assert.Equal(Owner, File.GetUnixFileMode(Path.Combine(_root, "a", "b")));
        Assert.Equal(Owner, File.GetUnixFileMode(path));
    }

    [Fact]
    public void WriteAllText_NewAndExisting_Are0600()
    {
        var fresh = Path.Combine(_root, "new", "state.json");
        var old = Path.Combine(_root, "old.json");
        File.WriteAllText(old, "old");
        File.SetUnixFileMode(old, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);

        PrivateFiles.WriteAllText(fresh, "{}");
        PrivateFiles.WriteAllText(old, "new");

        Assert.Equal(PrivateFiles.FileMode, File.GetUnixFileMode(fresh));
        Assert.Equal(PrivateFiles.FileMode, File.GetUnixFileMode(old));
        Assert.Equal("new", File.ReadAllText(old));
        Assert.Equal(Owner, File.GetUnixFileMode(Path.GetDirectoryName(fresh)!));
    }

    [Fact]
    public void Touch_ExistingFile_KeepsItsContent()
    {
        var log = Path.Combine(_root, "app-1.log");
        File.WriteAllText(log, "line\n");

        PrivateFiles.Touch(log);

        Assert.Equal("line\n", File.ReadAllText(log));
        Assert.Equal(PrivateFiles.FileMode, File.GetUnixFileMode(log));
    }

    [Fact]
    public void TightenTree_TakesGroupAndOtherBitsAway_KeepsTheOwnersExecuteBit()
    {
        var directory = Path.Combine(_root, "build");
        Directory.CreateDirectory(directory);
        File.SetUnixFileMode(directory, Owner | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        var program = Path.Combine(directory, "app");
        File.WriteAllText(program, "#!/bin/sh\n");
        File.SetUnixFileMode(program, Owner | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);

        PrivateFiles.TightenTree(directory);

        Assert.Equal(Owner, File.GetUnixFileMode(directory));
        Assert.Equal(Owner, File.GetUnixFileMode(program));
    }
}
