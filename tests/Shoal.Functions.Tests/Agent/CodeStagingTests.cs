using System.Runtime.Versioning;
using Shoal.Functions.Agent.Identity;
using Shoal.Processes;

namespace Shoal.Functions.Tests.Agent;

/// <summary>Code the function's user cannot reach is copied where only root and that user's group can read it; on the real file system.</summary>
[UnsupportedOSPlatform("windows")]
public sealed class CodeStagingTests : IDisposable
{
    private static readonly ProcessUser s_user = new("nobody", 65534, 65534);
    private readonly DirectoryInfo _root = Directory.CreateTempSubdirectory("shoal-staging-test-");
    private readonly CodeStaging _staging = new();

    public CodeStagingTests()
    {
        _root.UnixFileMode = (UnixFileMode)0b111_101_101;
    }

    public void Dispose()
    {
        _staging.Dispose();
        _root.Delete(recursive: true);
    }

    private string Code(UnixFileMode parentMode)
    {
        var parent = Directory.CreateDirectory(Path.Combine(_root.FullName, "private"));
        var code = Directory.CreateDirectory(Path.Combine(parent.FullName, "code"));
        File.WriteAllText(Path.Combine(code.FullName, "bootstrap"), "#!/bin/sh\necho hi\n");
        File.SetUnixFileMode(Path.Combine(code.FullName, "bootstrap"), (UnixFileMode)0b111_101_101);
        Directory.CreateDirectory(Path.Combine(code.FullName, "lib"));
        File.WriteAllText(Path.Combine(code.FullName, "lib", "handler.sh"), "handler() { echo ok; }\n");
        File.CreateSymbolicLink(Path.Combine(code.FullName, "link.sh"), "lib/handler.sh");
        parent.UnixFileMode = parentMode;
        return code.FullName;
    }

    [Fact]
    public void Prepare_ReachableCode_RunsInPlace()
    {
        var code = Code((UnixFileMode)0b111_101_101);

        Assert.Equal(code, _staging.Prepare(code, s_user));
        Assert.True(CodeStaging.IsReachableByOthers(code));
    }

    [Fact]
    public void Prepare_NoUser_RunsInPlaceWhereverItIs()
    {
        var code = Code(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);

        Assert.Equal(code, _staging.Prepare(code, null));
    }

    [Fact]
    public void Prepare_CodeUnder0700_IsCopiedReadOnlyForTheUsersGroupOnly()
    {
        var code = Code(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        Assert.False(CodeStaging.IsReachableByOthers(code));

        var staged = _staging.Prepare(code, s_user);

        Assert.NotEqual(code, staged);
        Assert.True(CodeStaging.IsReachableByOthers(Path.GetDirectoryName(staged)!) || (new DirectoryInfo(Path.GetDirectoryName(staged)!).UnixFileMode & UnixFileMode.OtherExecute) != 0);
        Assert.Equal("#!/bin/sh\necho hi\n", File.ReadAllText(Path.Combine(staged, "bootstrap")));
        Assert.Equal("handler() { echo ok; }\n", File.ReadAllText(Path.Combine(staged, "link.sh")));
        Assert.Equal("lib/handler.sh", new FileInfo(Path.Combine(staged, "link.sh")).LinkTarget);

        // Root owns it; the group reads (and runs what was executable); nobody else, and nobody but root writes.
        Assert.Equal((UnixFileMode)0b111_101_000, new DirectoryInfo(staged).UnixFileMode);
        Assert.Equal((UnixFileMode)0b111_101_000, File.GetUnixFileMode(Path.Combine(staged, "bootstrap")));
        Assert.Equal((UnixFileMode)0b110_100_000, File.GetUnixFileMode(Path.Combine(staged, "lib", "handler.sh")));
        Assert.Equal((UnixFileMode)0b111_001_001, new DirectoryInfo(Path.GetDirectoryName(staged)!).UnixFileMode);
    }

    [Fact]
    public void Prepare_Again_ReusesTheCopy_UntilTheCodeChanges()
    {
        var code = Code(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var first = _staging.Prepare(code, s_user);

        Assert.Equal(first, _staging.Prepare(code, s_user));

        File.WriteAllText(Path.Combine(code, "lib", "handler.sh"), "handler() { echo changed; }\n");
        var second = _staging.Prepare(code, s_user);
        Assert.NotEqual(first, second);
        Assert.Equal("handler() { echo changed; }\n", File.ReadAllText(Path.Combine(second, "lib", "handler.sh")));
    }

    [Fact]
    public void Dispose_RemovesTheCopies()
    {
        var staged = _staging.Prepare(Code(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute), s_user);

        _staging.Dispose();

        Assert.False(Directory.Exists(staged));
    }
}
