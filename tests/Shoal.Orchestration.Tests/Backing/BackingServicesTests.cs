using Shoal.Configuration;
using Shoal.Orchestration.Backing;
using Shoal.Orchestration.Stack;

namespace Shoal.Orchestration.Tests.Backing;

/// <summary>Preparing a stack's backing services: every missing binary is a located error naming the Debian package; a stack without templates is untouched.</summary>
public sealed class BackingServicesTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("shoal-backing-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task PrepareAsync_MissingBinaries_AreOneErrorPerService_AtTheTemplateKey()
    {
        var stack = StackFileLoader.Parse("services:\n  db:\n    postgres: {}\n  cache:\n    redis: {}\n", Path.Combine(_directory, "shoal.yml"), "shoal.yml");
        var nowhere = new BackingBinaries(Path.Combine(_directory, "no-postgresql"), Path.Combine(_directory, "no-bin"));

        var error = await Assert.ThrowsAsync<ConfigFileException>(() => BackingServices.PrepareAsync(stack, nowhere, 1000, TimeProvider.System, CancellationToken.None));

        Assert.Equal(
            [
                $"shoal.yml:3:5: services.db.postgres: {nowhere.PostgresMissing}",
                $"shoal.yml:5:5: services.cache.redis: {BackingBinaries.RedisMissing}",
            ],
            error.Errors.Select(e => e.ToString()));
        Assert.False(Directory.Exists(Path.Combine(_directory, ".shoal")));
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task PrepareAsync_Redis_GetsAPasswordKeptInTheVolume_InAConfigFileNotInArgv_AndItsDependantsGetIt()
    {
        var bin = Directory.CreateDirectory(Path.Combine(_directory, "bin")).FullName;
        File.WriteAllText(Path.Combine(bin, "redis-server"), string.Empty);
        File.SetUnixFileMode(Path.Combine(bin, "redis-server"), UnixFileMode.UserRead | UnixFileMode.UserExecute);
        var stack = StackFileLoader.Parse("services:\n  cache:\n    redis: {}\n  app:\n    command: [app]\n    depends_on: [cache]\n", Path.Combine(_directory, "shoal.yml"), "shoal.yml");
        var binaries = new BackingBinaries("/nowhere", bin);

        var first = await BackingServices.PrepareAsync(stack, binaries, 1000, TimeProvider.System, CancellationToken.None);
        var again = await BackingServices.PrepareAsync(stack, binaries, 1000, TimeProvider.System, CancellationToken.None);

        var cache = first.FindService("cache")!;
        var password = cache.Backing!.Password!;
        Assert.Matches("^[0-9a-f]{32}$", password);
        Assert.Equal(password, again.FindService("cache")!.Backing!.Password);
        Assert.Equal(password, cache.Health.Password);
        var volume = Path.Combine(_directory, ".shoal", "volumes", "cache");
        Assert.Equal([Path.Combine(bin, "redis-server"), Path.Combine(volume, RedisTemplate.ConfigFile), "--dir", volume], cache.Command!.Take(4));
        Assert.DoesNotContain(cache.Command!, a => a.Contains(password, StringComparison.Ordinal));
        Assert.Equal($"requirepass {password}\n", File.ReadAllText(Path.Combine(volume, RedisTemplate.ConfigFile)));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(volume, RedisTemplate.ConfigFile)));
        var port = cache.Port.Fixed;
        Assert.Equal($"redis://default:{password}@127.0.0.1:{port}", first.FindService("app")!.Environment["REDIS_URL"]);
        Assert.Equal($"127.0.0.1:{port},password={password}", first.FindService("app")!.Environment["ConnectionStrings__cache"]);
    }

    [Fact]
    public async Task PrepareAsync_NoTemplates_ReturnsTheSameStack()
    {
        var stack = StackFileLoader.Parse("services:\n  app:\n    command: [app]\n", Path.Combine(_directory, "shoal.yml"), "shoal.yml");

        Assert.Same(stack, await BackingServices.PrepareAsync(stack, new BackingBinaries("/nowhere", "/nowhere"), 0, TimeProvider.System, CancellationToken.None));
    }
}
