using Shoal.Orchestration.Stack;

namespace Shoal.Orchestration.Backing;

/// <summary>Where a backing service listens and, for PostgreSQL, how each dependant logs in: what its dependants are told.</summary>
/// <param name="Service">The backing service's name.</param>
/// <param name="Kind">PostgreSQL or Redis.</param>
/// <param name="Port">Its port on 127.0.0.1.</param>
/// <param name="Logins">PostgreSQL: each dependant's role, password and database, by dependant.</param>
internal sealed record BackingEndpoint(string Service, BackingKind Kind, int Port, IReadOnlyDictionary<string, PostgresLogin> Logins)
{
    /// <summary>Redis: the password every client gives (<c>AUTH</c>).</summary>
    public string? Password { get; init; }
}

/// <summary>A PostgreSQL role, its password and the database it connects to.</summary>
internal sealed record PostgresLogin(string User, string Password, string Database);
