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
    public async Task PrepareAsync_NoTemplates_ReturnsTheSameStack()
    {
        var stack = StackFileLoader.Parse("services:\n  app:\n    command: [app]\n", Path.Combine(_directory, "shoal.yml"), "shoal.yml");

        Assert.Same(stack, await BackingServices.PrepareAsync(stack, new BackingBinaries("/nowhere", "/nowhere"), 0, TimeProvider.System, CancellationToken.None));
    }
}
