using System.Diagnostics;
using System.Globalization;

namespace Shoal.Processes;

/// <summary>
/// Runs each process as an OCI container with runc (<c>runtime: oci</c>): a bundle generated per instance under
/// <paramref name="stateDirectory"/>, over the root file system of <see cref="IsolationOptions.Image"/> (a directory, an
/// OCI layout or a tarball, unpacked once by <see cref="OciImages"/>) or, with no image, over read-only host binds as
/// the sandbox has them, so the same program runs unchanged. runc runs in the foreground: the pid tracked is runc's.
/// </summary>
/// <remarks>
/// The cgroup is made by <paramref name="driver"/> and named to runc in <c>linux.cgroupsPath</c> (without it runc nests
/// the container under the daemon's own memory cgroup); runc applies the same limits again. Pause and resume use its
/// freezer directly, which is faster than <c>runc pause</c> and leaves runc's state as it was.
/// crun is not used: on a cgroup v1 hybrid host (this kind of machine) it refuses to run.
/// </remarks>
/// <param name="inner">Starts runc itself (the host runtime: process group, log file, scope).</param>
/// <param name="driver">The machine's cgroups, or null (then there are no limits, no freezer and no usage).</param>
/// <param name="stateDirectory">Where bundles, runc's state and unpacked images go.</param>
/// <param name="timeProvider">The clock for stop grace periods.</param>
/// <param name="runc">The runc executable.</param>
public sealed partial class OciProcessRuntime(IProcessRuntime inner, ICgroupDriver? driver, string stateDirectory, TimeProvider timeProvider, string runc = "/usr/sbin/runc") : IProcessRuntime
{
    /// <summary>The runtime over the host runtime with the machine's cgroups.</summary>
    /// <exception cref="ProcessStartException">runc is not installed.</exception>
    public static OciProcessRuntime Create(TimeProvider timeProvider, ProcessScope? scope, string stateDirectory, string? runc = null)
    {
        var program = runc ?? new[] { "/usr/sbin/runc", "/usr/bin/runc", "/usr/local/sbin/runc", "/usr/local/bin/runc" }.FirstOrDefault(File.Exists);
        if (program is null || !File.Exists(program))
        {
            throw new ProcessStartException("runtime 'oci' needs runc: apt-get install runc");
        }

        Directory.CreateDirectory(stateDirectory);
        return new(new HostProcessRuntime(timeProvider, scope), CgroupDrivers.Detect(), RealPath(stateDirectory), timeProvider, program);
    }

    /// <inheritdoc />
    public string Name => driver is null ? "oci" : "oci+" + driver.Name;

    private string RuncRoot => Path.Combine(stateDirectory, "runc");

    /// <inheritdoc />
    public async ValueTask<IProcessHandle> StartAsync(ProcessSpec spec, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (!Directory.Exists(spec.WorkingDirectory))
        {
            throw new ProcessStartException($"{spec.Name}: working directory '{spec.WorkingDirectory}' does not exist.");
        }

        var id = CgroupFiles.Sanitize(spec.InstanceId ?? spec.Name);
        var image = spec.Isolation.Image;
        string[] args;
        if (image is null)
        {
            var program = HostProcessRuntime.ResolveProgram(spec.FileName, spec.WorkingDirectory, spec.Environment)
                ?? throw new ProcessStartException($"{spec.Name}: '{spec.FileName}' was not found (looked in {spec.WorkingDirectory} and on PATH).");
            args = [program, .. spec.Arguments];
        }
        else
        {
            args = [spec.FileName, .. spec.Arguments];
        }

        // A container of the same id left by a crashed run would make runc refuse this one.
        Runc("delete", "--force", id);
        var bundle = Path.Combine(stateDirectory, "bundles", id);
        if (Directory.Exists(bundle))
        {
            Directory.Delete(bundle, recursive: true);
        }

        Directory.CreateDirectory(bundle);
        string rootfs;
        try
        {
            if (image is null)
            {
                rootfs = Path.Combine(bundle, "rootfs");
                OciBundle.WriteHostRootfs(rootfs);
            }
            else
            {
                rootfs = OciImages.Rootfs(image, Path.Combine(stateDirectory, "images"));
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidDataException or System.Text.Json.JsonException)
        {
            throw new ProcessStartException($"{spec.Name}: cannot prepare the image '{image}': {ex.Message}", ex);
        }

        ICgroup? cgroup = null;
        try
        {
            cgroup = driver?.Create(id, spec.Limits);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new ProcessStartException($"{spec.Name}: cannot set up its cgroups: {ex.Message}", ex);
        }

        var daemon = Environment.GetEnvironmentVariables();
        var environment = ChildEnvironment.Build(spec.Environment, spec.Inherit.Concat(ChildEnvironment.LocaleNames(daemon)), name => daemon[name] as string);
        environment.TryAdd("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
        var lease = spec.Isolation.Network == NetworkMode.Isolated ? spec.Isolation.Lease ?? Networking.BridgeNetwork.Shared.Acquire() : null;
        var ownedLease = lease is not null && spec.Isolation.Lease is null;
        var config = OciBundle.Config(spec, RealPath(rootfs), args, environment, id, cgroup?.RelativePath ?? "/shoal/" + id, hostRootfs: image is null);
        if (lease is not null)
        {
            config["hooks"] = OciBundle.NetworkHooks(lease);
        }

        await File.WriteAllTextAsync(Path.Combine(bundle, "config.json"), config.ToJsonString(), cancellationToken).ConfigureAwait(false);

        var runcSpec = spec with
        {
            FileName = runc,
            // --keep: runc would remove the cgroup as the container exits, and with it the OOM count OomKilled reads.
            Arguments = ["--root", RuncRoot, "run", "--keep", "--bundle", bundle, id],
            User = null,
            Limits = ResourceLimits.None,
        };
        try
        {
            var handle = await inner.StartAsync(runcSpec, cancellationToken).ConfigureAwait(false);
            if (ownedLease)
            {
                _ = handle.Exited.ContinueWith(_ => lease!.Dispose(), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            }

            return new OciHandle(this, handle, cgroup, id, bundle);
        }
        catch
        {
            if (ownedLease)
            {
                lease!.Dispose();
            }

            cgroup?.KillAndRemove();
            Directory.Delete(bundle, recursive: true);
            throw;
        }
    }

    /// <inheritdoc />
    public void KillLeftover(int pid, long startTime, IReadOnlyList<string> cgroups)
    {
        ArgumentNullException.ThrowIfNull(cgroups);
        inner.KillLeftover(pid, startTime, cgroups);
        if (cgroups.Count > 0)
        {
            // The container's id is its cgroup's name.
            Runc("delete", "--force", Path.GetFileName(cgroups[0]));
            CgroupDrivers.Open(cgroups).KillAndRemove();
        }
    }

    /// <summary>Runs runc with this runtime's state root and waits (bounded) for it; returns its exit code.</summary>
    internal int Runc(params string[] arguments)
    {
        var startInfo = new ProcessStartInfo(runc) { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true };
        startInfo.ArgumentList.Add("--root");
        startInfo.ArgumentList.Add(RuncRoot);
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        using var process = Process.Start(startInfo)!;
        process.StandardOutput.ReadToEndAsync();
        process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(10_000))
        {
            process.Kill();
            return -1;
        }

        return process.ExitCode;
    }

    internal TimeProvider Time => timeProvider;

    /// <summary>The path with every symbolic link resolved: runc refuses a root that is (or passes through) a link.</summary>
    internal static string RealPath(string path)
    {
        var result = "/";
        foreach (var part in Path.GetFullPath(path).Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            var next = Path.Combine(result, part);
            var info = new FileInfo(next);
            if (info.LinkTarget is not null && info.ResolveLinkTarget(returnFinalTarget: true) is { } target)
            {
                next = RealPath(target.FullName);
            }

            result = next;
        }

        return result;
    }

    internal static string Invariant(int value) => value.ToString(CultureInfo.InvariantCulture);
}
