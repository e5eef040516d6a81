using System.Text.Json;
using Shoal.Files;

namespace Shoal.Orchestration.Backing;

/// <summary>
/// What Shoal keeps about a backing service in its volume (<c>shoal-volume.json</c>, 0600): the port chosen once, the
/// superuser's generated password and each dependant's, so a restart finds the same server with the same credentials.
/// </summary>
internal sealed record VolumeState
{
    public const string FileName = "shoal-volume.json";

    private static readonly JsonSerializerOptions s_json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    public int Port { get; init; }

    public string? Password { get; init; }

    public Dictionary<string, string> Roles { get; init; } = new(StringComparer.Ordinal);

    /// <summary>The state in <paramref name="volume"/>, or null when there is none (or it is unreadable: it is made again).</summary>
    public static VolumeState? Read(string volume)
    {
        var path = Path.Combine(volume, FileName);
        try
        {
            return File.Exists(path) ? JsonSerializer.Deserialize<VolumeState>(File.ReadAllText(path), s_json) : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    public void Write(string volume) => PrivateFiles.WriteAllText(Path.Combine(volume, FileName), JsonSerializer.Serialize(this, s_json));

    /// <summary>A password of 32 hex digits: safe in a URL, a connection string and SQL without quoting.</summary>
    public static string NewPassword() => Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16));
}
