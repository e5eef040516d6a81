using System.Runtime.Versioning;
using Microsoft.Extensions.Time.Testing;
using Shoal.Registry.Stores;

namespace Shoal.Registry.Tests;

/// <summary>A damaged database is refused with its name, never opened as an empty registry.</summary>
[UnsupportedOSPlatform("windows")]
public sealed class SqliteFileCheckTests
{
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UnixEpoch.AddYears(56));
    private readonly string _path = Path.Combine(Directory.CreateTempSubdirectory("shoal-regcheck-").FullName, "registry.db");

    [Fact]
    public async Task OpenAsync_NoFile_CreatesAPrivateDatabase()
    {
        await using var store = new SqliteRegistryStore(_path, _time);

        await store.OpenAsync(CancellationToken.None);

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(_path));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(_path + "-wal"));
    }

    [Fact]
    public async Task OpenAsync_Garbage_ThrowsNamingTheFile()
    {
        await File.WriteAllTextAsync(_path, new string('x', 5000));
        await using var store = new SqliteRegistryStore(_path, _time);

        var ex = await Assert.ThrowsAsync<InvalidDataException>(() => store.OpenAsync(CancellationToken.None));

        Assert.StartsWith($"{_path} is not a SQLite database (its header is wrong). Shoal does not start on it with an empty registry.", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OpenAsync_TruncatedWithAWriteAheadLog_ThrowsNamingBoth()
    {
        await File.WriteAllBytesAsync(_path, []);
        await File.WriteAllBytesAsync(_path + "-wal", new byte[100]);
        await using var store = new SqliteRegistryStore(_path, _time);

        var ex = await Assert.ThrowsAsync<InvalidDataException>(() => store.OpenAsync(CancellationToken.None));

        Assert.StartsWith($"{_path} is empty (0 bytes) but its write-ahead log {_path}-wal holds 100 bytes: the database was truncated.", ex.Message, StringComparison.Ordinal);
        Assert.Equal(0, new FileInfo(_path).Length);
    }

    [Fact]
    public async Task OpenAsync_DamagedPages_ThrowsNamingTheFile()
    {
        await using (var store = new SqliteRegistryStore(_path, _time))
        {
            await store.OpenAsync(CancellationToken.None);
            for (var i = 0; i < 200; i++)
            {
                await store.PutDocumentAsync("doc-" + i, "{\"body\":\"" + new string('y', 200) + "\"}", CancellationToken.None);
            }
        }

        // Keep the header, overwrite the pages after the first.
        await using (var file = new FileStream(_path, FileMode.Open, FileAccess.Write))
        {
            file.Position = 4096;
            file.Write(Enumerable.Repeat((byte)0xAB, (int)(file.Length - 4096)).ToArray());
        }

        await using var damaged = new SqliteRegistryStore(_path, _time);
        var ex = await Assert.ThrowsAsync<InvalidDataException>(() => damaged.OpenAsync(CancellationToken.None));

        Assert.StartsWith($"{_path} is damaged", ex.Message, StringComparison.Ordinal);
    }
}
