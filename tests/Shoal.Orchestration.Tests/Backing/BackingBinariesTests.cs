using Shoal.Orchestration.Backing;

namespace Shoal.Orchestration.Tests.Backing;

/// <summary>Finding Debian's PostgreSQL versions and redis-server, and what a missing one says.</summary>
public sealed class BackingBinariesTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("shoal-binaries-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private void Install(string version, params string[] programs)
    {
        var bin = Directory.CreateDirectory(Path.Combine(_root, version, "bin")).FullName;
        foreach (var program in programs)
        {
            File.WriteAllText(Path.Combine(bin, program), string.Empty);
        }
    }

    [Fact]
    public void FindPostgres_TakesTheHighestCompleteVersion_ByNumber()
    {
        Install("9.6", "postgres", "initdb", "pg_isready", "psql");
        Install("15", "postgres", "initdb", "pg_isready", "psql");
        Install("16", "postgres", "initdb");

        Assert.Equal(Path.Combine(_root, "15", "bin"), new BackingBinaries(_root, "/nowhere").FindPostgres());
    }

    [Fact]
    public void FindPostgres_Nothing_IsNull_AndTheMessageNamesTheDebianPackage()
    {
        var binaries = new BackingBinaries(Path.Combine(_root, "missing"), "/nowhere");

        Assert.Null(binaries.FindPostgres());
        Assert.Equal(
            $"PostgreSQL's server binaries were not found (no {_root}/missing/VERSION/bin with postgres, initdb, pg_isready, psql): install Debian's package postgresql (apt-get install -y postgresql), or set SHOAL_POSTGRESQL_ROOT to where they are",
            binaries.PostgresMissing);
    }

    [Fact]
    public void FindRedis_LooksOnTheGivenPath_IgnoringRelativeEntries()
    {
        Install("redis", "redis-server");

        Assert.Equal(Path.Combine(_root, "redis", "bin", "redis-server"), new BackingBinaries(_root, $"bin:/nowhere:{_root}/redis/bin").FindRedis());
        Assert.Null(new BackingBinaries(_root, "/nowhere").FindRedis());
        Assert.Contains("redis-server", BackingBinaries.RedisMissing, StringComparison.Ordinal);
    }
}
