using System.Runtime.Versioning;
using Shoal.Orchestration.State;

namespace Shoal.Orchestration.Tests.State;

[UnsupportedOSPlatform("windows")]
public sealed class StackStateTests
{
    private readonly string _directory = Directory.CreateTempSubdirectory("shoal-state-").FullName;

    private string StateFile => StackState.PathIn(_directory);

    [Fact]
    public void Read_NoFile_IsNull() => Assert.Null(StackState.Read(Path.Combine(_directory, "missing")));

    [Fact]
    public void Read_WhatWasWritten_RoundTrips()
    {
        var state = new StackState { Stack = "s", File = "/s/shoal.yml", Daemon = new ProcessRecord("shoal", 7, 8), Admin = "http://a", Gateway = "http://g", Instances = [new ProcessRecord("app-1", 9, 10)] };
        state.Write(_directory);

        var read = StackState.Read(_directory);

        Assert.Equal(state.Daemon, read!.Daemon);
        Assert.Equal(state.Instances, read.Instances);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(StateFile));
    }

    [Theory]
    [InlineData("garbage", "is not valid JSON (line 1, byte 1)")]
    [InlineData("", "is empty")]
    [InlineData("null", "is not a state file (its fields are missing)")]
    [InlineData("{\"stack\":\"s\"}", "is not valid JSON (line 1, byte 14)")]
    [InlineData("{\"stack\":\"s\",\"file\":\"f\",\"daemon\":{\"id\":\"shoal\",\"pid\":1,\"startTime\":2},\"admin\":\"a\",\"gateway\":\"g\",\"instances\":null}", "is not a state file (its fields are missing)")]
    public void Read_CorruptFile_ThrowsNamingTheFile(string content, string reason)
    {
        File.WriteAllText(StateFile, content);

        var ex = Assert.Throws<CorruptStateException>(() => StackState.Read(_directory));

        Assert.Equal($"{StateFile} {reason}", ex.Message);
        Assert.Equal(StateFile, ex.Path);
    }

    [Fact]
    public void SetAside_MovesTheFileForInspection()
    {
        File.WriteAllText(StateFile, "garbage");

        var kept = StackState.SetAside(_directory);

        Assert.Equal(StateFile + ".corrupt", kept);
        Assert.Equal("garbage", File.ReadAllText(kept!));
        Assert.Null(StackState.Read(_directory));
        Assert.Null(StackState.SetAside(_directory));
    }
}
