using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Shoal.Files;
using Shoal.Functions.Agent.Identity;
using Shoal.Processes;

namespace Shoal.Functions.Agent.Instances;

/// <summary>
/// The agent's instances. Each started instance is written to <c>instances.json</c> in the state directory, so an agent
/// that was killed and started again finds the processes it left: they are listed as orphaned (they lost their Runtime
/// API with the old agent) until a janitor destroys them.
/// </summary>
internal sealed partial class InstanceTable : IAsyncDisposable
{
    private static readonly JsonSerializerOptions s_json = new(JsonSerializerDefaults.Web);

    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly Lock _fileLock = new();
    private readonly IProcessRuntimeProvider _runtimes;
    private readonly FunctionUsers _users;
    private readonly CodeStaging _staging = new();

    // One Runtime API listener per address for all the instances (their secrets tell them apart), not a server each.
    private readonly RuntimeApiListeners _listeners = new();
    private readonly string _stateDirectory;
    private readonly TimeProvider _time;
    private readonly ILoggerFactory _loggers;
    private readonly ILogger _logger;

    public InstanceTable(IProcessRuntimeProvider runtimes, string stateDirectory, TimeProvider time, ILoggerFactory loggers, FunctionUsers? users = null)
    {
        _runtimes = runtimes;
        _users = users ?? new FunctionUsers(PosixUser.EffectiveUserId());
        _stateDirectory = PrivateFiles.CreateDirectory(stateDirectory);
        _time = time;
        _loggers = loggers;
        _logger = loggers.CreateLogger("Shoal.Agent");
        AdoptLeftovers();
    }

    public int Count => _entries.Count;

    private string StateFile => Path.Combine(_stateDirectory, "instances.json");

    private string LogDirectory => Path.Combine(_stateDirectory, "logs");

    /// <summary>Starts the instance unless one with this id exists; concurrent calls for one id start it once.</summary>
    public async Task<InstanceInfo> EnsureAsync(string id, string owner, FunctionConfiguration spec, CancellationToken cancellationToken)
    {
        var entry = _entries.GetOrAdd(id, static (key, state) => new Entry(new FunctionInstance(key, state.owner, state.spec, state.self._time, state.self._loggers.CreateLogger("Shoal.Agent.Instance"), state.self._listeners)), (owner, spec, self: this));
        if (entry.Orphan is not null)
        {
            throw new InvalidOperationException($"Instance '{id}' is an orphan of an earlier agent; destroy it first.");
        }

        try
        {
            await entry.StartOnceAsync(() => StartAsync(entry.Instance!, spec), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException && entry.Started.IsFaulted)
        {
            // Nothing runs: forget it, so the caller may try again under the same id.
            if (_entries.TryRemove(new KeyValuePair<string, Entry>(id, entry)))
            {
                await entry.Instance!.StopAsync(TimeSpan.Zero).ConfigureAwait(false);
                await entry.Instance.DisposeAsync().ConfigureAwait(false);
            }

            throw;
        }

        if (entry.Instance!.Record is { } record && entry.Saved is false)
        {
            entry.Saved = true;
            Save();
            Log.Started(_logger, spec.Name, id, record.Pid);
        }

        return entry.Instance.Describe();
    }

    private Task StartAsync(FunctionInstance instance, FunctionConfiguration spec)
    {
        // Each instance gets the runtime, user and code its function asks for; what cannot be had fails the start.
        var runtime = _runtimes.Get(spec.Runtime);
        var user = _users.Resolve(spec.User);
        var code = _staging.Prepare(spec.CodeDirectory, user);
        return instance.StartAsync(runtime, LogDirectory, user, code, CancellationToken.None);
    }

    public InstanceInfo? Find(string id) => _entries.TryGetValue(id, out var entry) ? entry.Describe() : null;

    /// <summary>The started instance with this id and endpoint, for a gateway in this process to invoke directly.</summary>
    public FunctionInstance? FindStarted(string id, string invokeUrl) =>
        _entries.TryGetValue(id, out var entry) && entry.Instance is { } instance && entry.Started.IsCompletedSuccessfully && instance.InvokeUrl == invokeUrl ? instance : null;

    public IEnumerable<InstanceInfo> List(string owner) =>
        _entries.Values.Select(e => e.Describe()).Where(c => owner.Length == 0 || c.Owner == owner).OrderBy(c => c.Id, StringComparer.Ordinal);

    public InstanceInfo? Pause(string id, bool pause)
    {
        if (!_entries.TryGetValue(id, out var entry) || entry.Instance is null)
        {
            return null;
        }

        if (pause)
        {
            entry.Instance.Pause();
        }
        else
        {
            entry.Instance.Resume();
        }

        return entry.Describe();
    }

    /// <summary>Stops and forgets the instance; false when there was none.</summary>
    public async Task<bool> DestroyAsync(string id, TimeSpan grace)
    {
        if (!_entries.TryRemove(id, out var entry))
        {
            return false;
        }

        if (entry.Orphan is { } orphan)
        {
            _runtimes.Get(RuntimeKind.Process).KillLeftover(orphan.Pid, orphan.StartTime, orphan.Cgroups);
        }
        else if (entry.Instance is { } instance)
        {
            try
            {
                await entry.Started.ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // It never started: nothing to stop beyond its endpoint.
            }

            await instance.StopAsync(grace).ConfigureAwait(false);
            await instance.DisposeAsync().ConfigureAwait(false);
        }

        Save();
        Log.Destroyed(_logger, id);
        return true;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var id in _entries.Keys.ToList())
        {
            await DestroyAsync(id, TimeSpan.FromSeconds(1)).ConfigureAwait(false);
        }

        _staging.Dispose();
        await _listeners.DisposeAsync().ConfigureAwait(false);
    }

    private void AdoptLeftovers()
    {
        List<InstanceRecord>? records = null;
        try
        {
            if (File.Exists(StateFile))
            {
                records = JsonSerializer.Deserialize<List<InstanceRecord>>(File.ReadAllText(StateFile), s_json);
            }
        }
        catch (Exception ex) when (ex is IOException or JsonException or UnauthorizedAccessException)
        {
            Log.StateUnreadable(_logger, StateFile, ex.Message);
        }

        foreach (var record in records ?? [])
        {
            if (ProcessIdentity.IsAlive(record.Pid, record.StartTime))
            {
                _entries[record.Id] = new Entry(record);
                Log.Adopted(_logger, record.Function, record.Id, record.Pid);
            }
            else
            {
                _runtimes.Get(RuntimeKind.Process).KillLeftover(record.Pid, record.StartTime, record.Cgroups);
            }
        }

        Save();
    }

    private void Save()
    {
        lock (_fileLock)
        {
            var records = _entries.Values.Select(e => e.Orphan ?? e.Instance?.Record).OfType<InstanceRecord>().ToList();
            var temp = StateFile + ".tmp";
            PrivateFiles.WriteAllText(temp, JsonSerializer.Serialize(records, s_json));
            File.Move(temp, StateFile, overwrite: true);
        }
    }

    private sealed class Entry
    {
        private readonly Lock _lock = new();
        private Task? _started;

        public Entry(FunctionInstance instance) => Instance = instance;

        public Entry(InstanceRecord orphan)
        {
            Orphan = orphan;
            _started = Task.CompletedTask;
        }

        public FunctionInstance? Instance { get; }

        public InstanceRecord? Orphan { get; }

        public bool Saved { get; set; }

        public Task Started => _started ?? Task.CompletedTask;

        public Task StartOnceAsync(Func<Task> start, CancellationToken cancellationToken)
        {
            lock (_lock)
            {
                // The start is not the caller's to cancel once begun: another caller may be waiting on it too.
                _started ??= RunAsync(start);
                return _started.WaitAsync(cancellationToken);
            }
        }

        // A start that throws before its first await (no such user) still ends as a faulted task, not an exception here.
        private static async Task RunAsync(Func<Task> start) => await start().ConfigureAwait(false);

        public InstanceInfo Describe()
        {
            if (Orphan is { } o)
            {
                var state = ProcessIdentity.IsAlive(o.Pid, o.StartTime) ? InstanceState.Orphaned : InstanceState.Exited;
                return new InstanceInfo(o.Id, o.Function, o.Owner, state)
                {
                    Pid = o.Pid,
                    StartedAtUnixMs = o.StartedAtUnixMs,
                    Cgroup = o.Cgroups.Count > 0 ? o.Cgroups[0] : "",
                };
            }

            return Instance!.Describe();
        }
    }

    private static partial class Log
    {
        [LoggerMessage(7001, LogLevel.Information, "Started {Function} instance {Id} (pid {Pid})")]
        public static partial void Started(ILogger logger, string function, string id, int pid);

        [LoggerMessage(7002, LogLevel.Information, "Destroyed instance {Id}")]
        public static partial void Destroyed(ILogger logger, string id);

        [LoggerMessage(7003, LogLevel.Warning, "Found instance {Id} of {Function} (pid {Pid}) left by an earlier agent: listed as orphaned")]
        public static partial void Adopted(ILogger logger, string function, string id, int pid);

        [LoggerMessage(7004, LogLevel.Warning, "The agent's state file {File} cannot be read: {Reason}")]
        public static partial void StateUnreadable(ILogger logger, string file, string reason);
    }
}
