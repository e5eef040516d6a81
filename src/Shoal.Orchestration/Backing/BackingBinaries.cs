using System.Globalization;

namespace Shoal.Orchestration.Backing;

/// <summary>Finds the host's server binaries: Debian's PostgreSQL under <c>/usr/lib/postgresql/VERSION/bin</c>, <c>redis-server</c> on PATH.</summary>
/// <param name="PostgresRoot">Where PostgreSQL's versions are installed; <value>default: /usr/lib/postgresql</value>.</param>
/// <param name="SearchPath">The PATH <c>redis-server</c> is looked up on.</param>
public sealed record BackingBinaries(string PostgresRoot, string SearchPath)
{
    /// <summary>The variable that moves <see cref="PostgresRoot"/> (a PostgreSQL installed elsewhere).</summary>
    public const string PostgresRootVariable = "SHOAL_POSTGRESQL_ROOT";

    /// <summary>The programs a PostgreSQL service needs from one version's <c>bin</c>.</summary>
    internal static readonly string[] PostgresPrograms = ["postgres", "initdb", "pg_isready", "psql"];

    /// <summary>The host's: <c>SHOAL_POSTGRESQL_ROOT</c> or <c>/usr/lib/postgresql</c>, and the daemon's PATH.</summary>
    public static BackingBinaries Host { get; } = new(
        Environment.GetEnvironmentVariable(PostgresRootVariable) is { Length: > 0 } root ? root : "/usr/lib/postgresql",
        Environment.GetEnvironmentVariable("PATH") ?? "/usr/local/bin:/usr/bin:/bin");

    /// <summary>The <c>bin</c> directory of the highest PostgreSQL version that has every program a service needs, or null.</summary>
    public string? FindPostgres()
    {
        if (!Directory.Exists(PostgresRoot))
        {
            return null;
        }

        // Versions compare as numbers (15 after 9.6), a directory that is not a version last.
        return Directory.GetDirectories(PostgresRoot)
            .Select(d => Path.Combine(d, "bin"))
            .Where(bin => PostgresPrograms.All(p => File.Exists(Path.Combine(bin, p))))
            .OrderByDescending(bin => decimal.TryParse(Path.GetFileName(Path.GetDirectoryName(bin)), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var v) ? v : -1)
            .FirstOrDefault();
    }

    /// <summary>The full path of <c>redis-server</c> on <see cref="SearchPath"/>, or null.</summary>
    public string? FindRedis() =>
        SearchPath.Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Where(Path.IsPathFullyQualified)
            .Select(d => Path.Combine(d, "redis-server"))
            .FirstOrDefault(File.Exists);

    /// <summary>What to install when <see cref="FindPostgres"/> finds nothing.</summary>
    public string PostgresMissing =>
        $"PostgreSQL's server binaries were not found (no {PostgresRoot}/VERSION/bin with {string.Join(", ", PostgresPrograms)}): install Debian's package postgresql (apt-get install -y postgresql), or set {PostgresRootVariable} to where they are";

    /// <summary>What to install when <see cref="FindRedis"/> finds nothing.</summary>
    public const string RedisMissing = "redis-server was not found on PATH: install Debian's package redis-server (apt-get install -y redis-server)";
}
