using System.Globalization;
using System.Net;
using Docker.DotNet;
using Docker.DotNet.Models;
using Shoal.Files;

namespace Shoal.Processes.Docker;

/// <summary>
/// Runs each process as a container on a Docker engine (<c>runtime: docker</c>): the image the definition names, the
/// command and environment a host process would get, the working directory bound at the same path, the host network,
/// the definition's user and limits, output appended to the log file until it exits.
/// </summary>
/// <remarks>
/// The engine owns the container, not this process: a replica keeps running if the daemon dies, and a later run finds
/// it by its <see cref="ContainerDefinition.ScopeLabel"/> label (and, with no engine to ask, by its init pid and the
/// scope's environment marker). The container is removed once it has exited and its exit has been read.
/// </remarks>
public sealed class DockerProcessRuntime : IProcessRuntime, IDisposable
{
    /// <summary>How long the engine has to answer a ping before it counts as absent.</summary>
    internal static readonly TimeSpan PingTimeout = TimeSpan.FromSeconds(2);

    /// <summary>How long one ordinary engine call (create, start, inspect, kill) may take.</summary>
    internal static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(30);

    private static readonly TimeSpan PullTimeout = TimeSpan.FromMinutes(5);

    private readonly TimeProvider _timeProvider;
    private readonly ProcessScope? _scope;
    private readonly DockerClient _client;
    private readonly bool _hostPids;

    /// <summary>Creates the runtime for the engine at <paramref name="endpoint"/> (null: <c>DOCKER_HOST</c>, else the default socket); it connects on first use.</summary>
    /// <exception cref="ProcessStartException"><c>DOCKER_HOST</c> is not an address.</exception>
    public DockerProcessRuntime(TimeProvider timeProvider, ProcessScope? scope = null, Uri? endpoint = null)
        : this(timeProvider, scope, endpoint, hostPids: null)
    {
    }

    /// <summary>Creates the runtime; <paramref name="hostPids"/> (null: true for a unix socket) is internal for tests.</summary>
    internal DockerProcessRuntime(TimeProvider timeProvider, ProcessScope? scope, Uri? endpoint, bool? hostPids)
    {
        _timeProvider = timeProvider;
        _scope = scope;
        Endpoint = endpoint ?? DockerEndpoint.Resolve(Environment.GetEnvironmentVariable(DockerEndpoint.Variable));

        // An engine behind TCP may be on another machine: its pids name nothing here, and a kill by pid could hit an
        // unrelated local process. Only an engine on a local socket shares this machine's pids and cgroups.
        _hostPids = hostPids ?? Endpoint.Scheme == "unix";
        _client = new DockerClientBuilder().WithEndpoint(Endpoint).Build();
    }

    /// <summary>The engine's address.</summary>
    public Uri Endpoint { get; }

    /// <inheritdoc />
    public string Name => RuntimeNames.Of(RuntimeKind.Docker);

    /// <summary>Fails unless the engine answers a ping in time, so a stack that needs it is refused at <c>up</c> rather than replica by replica.</summary>
    /// <exception cref="ProcessStartException">No engine answers; the message says what to install or start.</exception>
    public Task EnsureEngineAsync(CancellationToken cancellationToken) =>
        EngineCallAsync("", PingTimeout, async token =>
        {
            await _client.System.PingAsync(token).ConfigureAwait(false);
            return true;
        }, cancellationToken);

    /// <inheritdoc />
    public async ValueTask<IProcessHandle> StartAsync(ProcessSpec spec, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var daemon = Environment.GetEnvironmentVariables();
        var parameters = ContainerDefinition.Create(spec, _scope, name => daemon[name] as string, ChildEnvironment.LocaleNames(daemon), DaemonUser());
        if (!Directory.Exists(spec.WorkingDirectory))
        {
            throw new ProcessStartException($"{spec.Name}: working directory '{spec.WorkingDirectory}' does not exist.");
        }

        await EngineCallAsync(spec, PingTimeout, token => _client.System.PingAsync(token), cancellationToken).ConfigureAwait(false);
        await EnsureImageAsync(spec, cancellationToken).ConfigureAwait(false);
        PrivateFiles.Touch(spec.LogFile);
        var id = await CreateAsync(spec, parameters, cancellationToken).ConfigureAwait(false);
        MultiplexedStream? output = null;
        try
        {
            // Attach before start, so not one byte of output is missed; the stream lives as long as the container.
            output = await EngineCallAsync(spec, CallTimeout, token => _client.Containers.AttachContainerAsync(
                id, new ContainerAttachParameters { Stream = true, Stdout = true, Stderr = true }, token), cancellationToken).ConfigureAwait(false);
            try
            {
                await EngineCallAsync(spec, CallTimeout, token => _client.Containers.StartContainerAsync(id, new ContainerStartParameters(), token), cancellationToken).ConfigureAwait(false);
            }
            catch (DockerApiException ex)
            {
                // The engine's words name the cause (a program missing from the image, a bad user).
                throw new ProcessStartException($"{spec.Name}: the Docker engine could not start '{spec.FileName}' in image '{spec.Isolation.Image}': {Detail(ex)}", ex);
            }

            var inspect = await EngineCallAsync(spec, CallTimeout, token => _client.Containers.InspectContainerAsync(id, token), cancellationToken).ConfigureAwait(false);

            // A command that has already finished has no pid left: the handle then tracks the container alone.
            var pid = _hostPids ? (int)(inspect.State?.Pid ?? 0) : 0;
            var startTime = pid > 0 ? ProcessIdentity.StartTimeOf(pid) ?? 0 : 0;
            var cgroups = pid > 0 ? ContainerCgroups.Of(pid) : new ContainerCgroups([]);
            return new DockerProcessHandle(_client, id, pid, startTime, cgroups, output, spec.LogFile, _timeProvider);
        }
        catch
        {
            output?.Dispose();
            await RemoveQuietlyAsync(id).ConfigureAwait(false);
            throw;
        }
    }

    /// <inheritdoc />
    /// <remarks>Removes the scope's container whose init process is <paramref name="pid"/>; with no engine, kills that process, which ends the container.</remarks>
    public void KillLeftover(int pid, long startTime, IReadOnlyList<string> cgroups)
    {
        if (pid <= 0 || !_hostPids)
        {
            return;
        }

        try
        {
            using var deadline = new CancellationTokenSource(CallTimeout, _timeProvider);
            var containers = _client.Containers.ListContainersAsync(
                new ContainersListParameters
                {
                    All = true,
                    Filters = new Dictionary<string, IDictionary<string, bool>>
                    {
                        ["label"] = new Dictionary<string, bool> { [ContainerDefinition.ScopeLabel + "=" + (_scope?.Key ?? ContainerDefinition.NoScope)] = true },
                    },
                },
                deadline.Token).GetAwaiter().GetResult();
            foreach (var container in containers)
            {
                var inspect = _client.Containers.InspectContainerAsync(container.ID, deadline.Token).GetAwaiter().GetResult();
                if (inspect.State?.Pid == pid)
                {
                    _client.Containers.RemoveContainerAsync(container.ID, new ContainerRemoveParameters { Force = true }, deadline.Token).GetAwaiter().GetResult();
                }
            }
        }
        catch (Exception ex) when (IsEngineFailure(ex))
        {
        }

        if (ProcessIdentity.IsAlive(pid, startTime))
        {
            PosixSignals.Send(pid, PosixSignals.Cont);
            PosixSignals.Send(pid, PosixSignals.Kill);
        }
    }

    /// <inheritdoc />
    public void Dispose() => _client.Dispose();

    private async Task EnsureImageAsync(ProcessSpec spec, CancellationToken cancellationToken)
    {
        var image = spec.Isolation.Image!;
        try
        {
            await EngineCallAsync(spec, CallTimeout, token => _client.Images.InspectImageAsync(image, token), cancellationToken).ConfigureAwait(false);
            return;
        }
        catch (DockerImageNotFoundException)
        {
        }
        catch (DockerApiException ex) when (ex.StatusCode == HttpStatusCode.NotFound)
        {
        }

        // The engine reports a failed pull in the progress stream, not always as an error response.
        var errors = new List<string>();
        var progress = new Progress<JSONMessage>(m =>
        {
            if (m.Error?.Message is { Length: > 0 } message)
            {
                lock (errors)
                {
                    errors.Add(message);
                }
            }
        });
        string? failure = null;
        try
        {
            await EngineCallAsync(spec, PullTimeout, token => _client.Images.CreateImageAsync(new ImagesCreateParameters { FromImage = image }, null, progress, token), cancellationToken)
                .ConfigureAwait(false);
        }
        catch (DockerApiException ex)
        {
            failure = Detail(ex);
        }

        try
        {
            await EngineCallAsync(spec, CallTimeout, token => _client.Images.InspectImageAsync(image, token), cancellationToken).ConfigureAwait(false);
        }
        catch (DockerApiException ex) when (ex.StatusCode == HttpStatusCode.NotFound)
        {
            lock (errors)
            {
                failure ??= errors.Count > 0 ? errors[^1] : "the engine has no such image";
            }

            throw new ProcessStartException($"{spec.Name}: image '{image}' is not on the Docker engine at {Endpoint.OriginalString} and pulling it failed: {failure}", ex);
        }
    }

    private async Task<string> CreateAsync(ProcessSpec spec, CreateContainerParameters parameters, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                var created = await EngineCallAsync(spec, CallTimeout, token => _client.Containers.CreateContainerAsync(parameters, token), cancellationToken).ConfigureAwait(false);
                return created.ID;
            }
            catch (DockerApiException ex)
            {
                // An earlier run of this stack left a container with this name (its daemon was killed): it is ours to remove.
                if (ex.StatusCode == HttpStatusCode.Conflict && attempt == 0 && await RemoveStaleAsync(parameters).ConfigureAwait(false))
                {
                    continue;
                }

                throw new ProcessStartException($"{spec.Name}: the Docker engine could not create the container: {Detail(ex)}", ex);
            }
        }
    }

    private async Task<bool> RemoveStaleAsync(CreateContainerParameters parameters)
    {
        try
        {
            using var deadline = new CancellationTokenSource(CallTimeout, _timeProvider);
            var existing = await _client.Containers.InspectContainerAsync(parameters.Name!, deadline.Token).ConfigureAwait(false);
            if (existing.Config?.Labels?.TryGetValue(ContainerDefinition.ScopeLabel, out var scope) != true || scope != parameters.Labels[ContainerDefinition.ScopeLabel])
            {
                return false;
            }

            await _client.Containers.RemoveContainerAsync(existing.ID, new ContainerRemoveParameters { Force = true }, deadline.Token).ConfigureAwait(false);
            return true;
        }
        catch (Exception ex) when (IsEngineFailure(ex))
        {
            return false;
        }
    }

    private async Task RemoveQuietlyAsync(string id)
    {
        try
        {
            using var deadline = new CancellationTokenSource(CallTimeout, _timeProvider);
            await _client.Containers.RemoveContainerAsync(id, new ContainerRemoveParameters { Force = true }, deadline.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (IsEngineFailure(ex))
        {
        }
    }

    /// <summary>One call to the engine within <paramref name="timeout"/>; an engine that does not answer becomes the message that says what to do.</summary>
    private Task<T> EngineCallAsync<T>(ProcessSpec spec, TimeSpan timeout, Func<CancellationToken, Task<T>> call, CancellationToken cancellationToken) =>
        EngineCallAsync(spec.Name + ": ", timeout, call, cancellationToken);

    private async Task<T> EngineCallAsync<T>(string prefix, TimeSpan timeout, Func<CancellationToken, Task<T>> call, CancellationToken cancellationToken)
    {
        using var deadline = new CancellationTokenSource(timeout, _timeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(deadline.Token, cancellationToken);
        try
        {
            return await call(linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException ex) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new ProcessStartException(prefix + DockerEndpoint.NotRunning(Endpoint, $"no answer within {timeout.TotalSeconds:0.#} s"), ex);
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException or System.Net.Sockets.SocketException)
        {
            throw new ProcessStartException(prefix + DockerEndpoint.NotRunning(Endpoint, ex.InnerException?.Message ?? ex.Message), ex);
        }
    }

    private Task EngineCallAsync(ProcessSpec spec, TimeSpan timeout, Func<CancellationToken, Task> call, CancellationToken cancellationToken) =>
        EngineCallAsync(spec, timeout, async token =>
        {
            await call(token).ConfigureAwait(false);
            return true;
        }, cancellationToken);

    /// <summary>True for the ways an engine call fails that a best-effort cleanup shrugs off.</summary>
    internal static bool IsEngineFailure(Exception ex) =>
        ex is DockerApiException or HttpRequestException or IOException or OperationCanceledException or TimeoutException or System.Net.Sockets.SocketException;

    /// <summary>The engine's own words from an error response (its JSON <c>message</c>), else the exception's.</summary>
    internal static string Detail(DockerApiException ex)
    {
        try
        {
            using var document = System.Text.Json.JsonDocument.Parse(ex.ResponseBody ?? "");
            if (document.RootElement.TryGetProperty("message", out var message) && message.GetString() is { Length: > 0 } text)
            {
                return text;
            }
        }
        catch (System.Text.Json.JsonException)
        {
        }

        return string.IsNullOrWhiteSpace(ex.ResponseBody) ? ex.Message : ex.ResponseBody.Trim();
    }

    /// <summary>The daemon's own uid:gid, so a process with no user of its own runs as the daemon does, not as the image's default user.</summary>
    private static string DaemonUser()
    {
        string? uid = null;
        string? gid = null;
        try
        {
            foreach (var line in File.ReadLines("/proc/self/status"))
            {
                // "Uid:\treal\teffective\tsaved\tfs": the effective id is the second.
                var fields = line.Split('\t', StringSplitOptions.RemoveEmptyEntries);
                if (fields.Length > 2 && fields[0] == "Uid:")
                {
                    uid = fields[2];
                }
                else if (fields.Length > 2 && fields[0] == "Gid:")
                {
                    gid = fields[2];
                }
            }
        }
        catch (IOException)
        {
        }

        return uid is null ? PosixUser.EffectiveUserId().ToString(CultureInfo.InvariantCulture) : gid is null ? uid : uid + ":" + gid;
    }
}
