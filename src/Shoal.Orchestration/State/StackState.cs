using System.Text.Json;
using System.Text.Json.Serialization;
using Shoal.Files;
using Shoal.Processes;

namespace Shoal.Orchestration.State;

/// <summary>What a running stack leaves in <c>.shoal/state.json</c>, so other commands can find and stop it.</summary>
public sealed record StackState
{
    /// <summary>The stack name.</summary>
    public required string Stack { get; init; }

    /// <summary>The absolute stack file path.</summary>
    public required string File { get; init; }

    /// <summary>The supervising process.</summary>
    public required ProcessRecord Daemon { get; init; }

    /// <summary>The admin API base URL.</summary>
    public required string Admin { get; init; }

    /// <summary>The gateway base URL.</summary>
    public required string Gateway { get; init; }

    /// <summary>Every process the daemon started and has not seen exit.</summary>
    public IReadOnlyList<ProcessRecord> Instances { get; init; } = [];

    /// <summary>True when the daemon process recorded here is still alive.</summary>
    [JsonIgnore]
    public bool DaemonAlive => ProcessIdentity.IsAlive(Daemon.Pid, Daemon.StartTime);

    private static readonly JsonSerializerOptions s_json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    /// <summary>The state file of a stack state directory.</summary>
    public static string PathIn(string stateDirectory) => System.IO.Path.Combine(stateDirectory, "state.json");

    /// <summary>Reads the state file, or null when there is none.</summary>
    /// <exception cref="CorruptStateException">The file exists but cannot be read or is not a state file: never taken as "nothing runs".</exception>
    public static StackState? Read(string stateDirectory)
    {
        var path = PathIn(stateDirectory);
        string text;
        try
        {
            text = System.IO.File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new CorruptStateException(path, $"cannot be read: {ex.Message}", ex);
        }

        try
        {
            return JsonSerializer.Deserialize<StackState>(text, s_json) is { Daemon: not null, Stack: not null, Instances: not null } state
                && state.Instances.All(i => i is not null)
                ? state
                : throw new CorruptStateException(path, "is not a state file (its fields are missing)");
        }
        catch (JsonException ex)
        {
            throw new CorruptStateException(path, text.Length == 0 ? "is empty" : $"is not valid JSON (line {ex.LineNumber + 1}, byte {ex.BytePositionInLine + 1})", ex);
        }
    }

    /// <summary>Writes the state file atomically, readable by its owner only.</summary>
    public void Write(string stateDirectory)
    {
        PrivateFiles.CreateDirectory(stateDirectory);
        var target = PathIn(stateDirectory);
        var temp = target + ".tmp";
        PrivateFiles.WriteAllText(temp, JsonSerializer.Serialize(this, s_json));
        System.IO.File.Move(temp, target, overwrite: true);
    }

    /// <summary>Moves a corrupt state file aside (to <c>state.json.corrupt</c>) for inspection; returns where it went, or null when it is gone.</summary>
    public static string? SetAside(string stateDirectory)
    {
        var target = PathIn(stateDirectory) + ".corrupt";
        try
        {
            System.IO.File.Move(PathIn(stateDirectory), target, overwrite: true);
            return target;
        }
        catch (FileNotFoundException)
        {
            return null;
        }
    }

    /// <summary>Deletes the state file.</summary>
    public static void Delete(string stateDirectory) => System.IO.File.Delete(PathIn(stateDirectory));
}
