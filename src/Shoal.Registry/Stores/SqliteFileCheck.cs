using System.Globalization;
using Microsoft.Data.Sqlite;

namespace Shoal.Registry.Stores;

/// <summary>
/// Tells a damaged registry database from a new one before SQLite opens it: SQLite takes a 0-byte file for an empty
/// database and would start the registry empty without a word, dropping every registration and deployment.
/// </summary>
internal static class SqliteFileCheck
{
    /// <summary>SQLITE_CORRUPT.</summary>
    public const int Corrupt = 11;

    /// <summary>SQLITE_NOTADB.</summary>
    public const int NotADatabase = 26;

    private static readonly byte[] s_header = "SQLite format 3\0"u8.ToArray();

    /// <summary>Throws when <paramref name="file"/> exists but is truncated or not a SQLite database; a missing file is new and fine.</summary>
    /// <exception cref="InvalidDataException">The file is damaged; the message names it and says what to do.</exception>
    public static void ThrowIfDamaged(string file)
    {
        var info = new FileInfo(file);
        if (!info.Exists)
        {
            return;
        }

        const string Remedy = "Shoal does not start on it with an empty registry. Restore it, or move it (and its -wal, -shm) away to start with an empty one.";
        var wal = new FileInfo(file + "-wal");
        if (info.Length == 0)
        {
            // Shoal never leaves its database empty: opening it writes the header at once.
            throw new InvalidDataException(wal.Exists && wal.Length > 0
                ? $"{file} is empty (0 bytes) but its write-ahead log {wal.FullName} holds {wal.Length.ToString(CultureInfo.InvariantCulture)} bytes: the database was truncated. {Remedy}"
                : $"{file} is empty (0 bytes), which Shoal never leaves it: it was truncated. {Remedy}");
        }

        var header = new byte[s_header.Length];
        int read;
        using (var stream = new FileStream(file, System.IO.FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete))
        {
            read = stream.ReadAtLeast(header, header.Length, throwOnEndOfStream: false);
        }

        if (read < header.Length || !header.AsSpan().SequenceEqual(s_header))
        {
            throw new InvalidDataException($"{file} is not a SQLite database (its header is wrong). {Remedy}");
        }
    }

    /// <summary>Runs SQLite's quick integrity check; throws when it finds damage.</summary>
    /// <exception cref="InvalidDataException">The database is damaged.</exception>
    public static async Task QuickCheckAsync(SqliteConnection db, string file, CancellationToken cancellationToken)
    {
        using var check = db.CreateCommand();
        check.CommandText = "PRAGMA quick_check(5)";
        var problems = new List<string>();
        using (var reader = await check.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                problems.Add(reader.GetString(0));
            }
        }

        if (problems is not ["ok"])
        {
            throw new InvalidDataException($"{file} is damaged (SQLite's integrity check: {string.Join("; ", problems)}). Shoal does not start on it with an empty registry. Restore it, or move it (and its -wal, -shm) away to start with an empty one.");
        }
    }
}
