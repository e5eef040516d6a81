using Microsoft.Extensions.Logging.Abstractions;
using Shoal.Testing;

namespace Shoal.Hosting.Tests;

/// <summary><c>up</c> reads the stack file and the functions' files once: what runs later uses what was read.</summary>
public sealed class StackFilesTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("shoal-files-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task Load_ThenFilesRemoved_PrepareAndFunctionsUseWhatWasRead()
    {
        var file = WriteStack();

        var loaded = StackFiles.Load(file);
        File.Delete(Path.Combine(_directory, "functions.yml"));
        File.Delete(Path.Combine(_directory, "routing.yml"));
        var prepared = await PreparedStack.PrepareAsync(loaded, _ => { }, CancellationToken.None);
        await using var functions = await StackFunctions.OpenAsync(prepared.Loaded.Stack, prepared.Loaded.Functions, NullLoggerFactory.Instance, _ => { });

        Assert.NotNull(functions);
        Assert.Equal(["echo"], functions.Host.Pools.Select(p => p.Snapshot().Function));
    }

    [Fact]
    public void Load_Functions_ReadWithTheStack()
    {
        var loaded = StackFiles.Load(WriteStack());

        Assert.Equal("fn", loaded.Stack.Name);
        Assert.Single(loaded.Functions!.Functions);
        Assert.Single(loaded.Functions.Routes);
        Assert.EndsWith("shoal.yml", loaded.DisplayName, StringComparison.Ordinal);
    }

    [Fact]
    public void StateDirectory_BesideTheStackFile()
    {
        Assert.Equal(Path.Combine(_directory, ".shoal"), StackFiles.StateDirectory(WriteStack()));
    }

    private string WriteStack()
    {
        var file = Path.Combine(_directory, "shoal.yml");
        File.WriteAllText(file, """
            name: fn
            gateway:
              listen: http://127.0.0.1:18080
              admin: http://127.0.0.1:18081
            functions:
              agent: http://127.0.0.1:1
            """);
        File.WriteAllText(Path.Combine(_directory, "functions.yml"), $"""
            functions:
              echo:
                command: [bash, bootstrap]
                handler: function.handler
                code: {Path.Combine(RepoPaths.Root, "samples", "functions", "bash")}
            """);
        File.WriteAllText(Path.Combine(_directory, "routing.yml"), """
            routes:
              - { path: /echo, method: GET, function: echo }
            """);
        return file;
    }
}
