using System.Globalization;
using Shoal.Processes.Networking;

namespace Shoal.Processes;

public sealed partial class SandboxProcessRuntime
{
    private const string GateFd = "4";

    // Opens the gate as the fd bwrap blocks on, then execs bwrap: the pid stays the one the inner runtime saw.
    private const string OpenGate = "exec 4<\"$0\" && exec \"$@\"";

    /// <summary>
    /// Starts bwrap in a network namespace of its own and holds the program back (<c>--block-fd</c>) until the veth
    /// pair of its lease is in that namespace with its address: a program that listens at once finds its address there.
    /// </summary>
    private async ValueTask<IProcessHandle> StartIsolatedAsync(ProcessSpec sandbox, CancellationToken cancellationToken)
    {
        var owned = sandbox.Isolation.Lease is null;
        var lease = sandbox.Isolation.Lease ?? BridgeNetwork.Shared.Acquire();
        IProcessHandle? handle = null;
        try
        {
            using var gate = StartGate.Create();
            handle = await inner.StartAsync(sandbox with { FileName = "/bin/sh", Arguments = ["-c", OpenGate, gate.Path, bwrap, .. sandbox.Arguments] }, cancellationToken).ConfigureAwait(false);
            var child = await SandboxChildAsync(handle, sandbox.Name, cancellationToken).ConfigureAwait(false);
            lease.Attach(child);
            gate.Open();
        }
        catch (Exception ex) when (ex is ProcessStartException or OperationCanceledException)
        {
            if (handle is not null)
            {
                await handle.StopAsync(TimeSpan.Zero, CancellationToken.None).ConfigureAwait(false);
                await handle.DisposeAsync().ConfigureAwait(false);
            }

            if (owned)
            {
                lease.Dispose();
            }

            throw ex is ProcessStartException ? new ProcessStartException($"{sandbox.Name}: {ex.Message}", ex) : ex;
        }

        if (owned)
        {
            _ = handle.Exited.ContinueWith(_ => lease.Dispose(), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }

        return handle;
    }

    /// <summary>bwrap's first child, created in the new namespaces: the pid whose network namespace gets the veth.</summary>
    private static async Task<int> SandboxChildAsync(IProcessHandle handle, string name, CancellationToken cancellationToken)
    {
        var pid = handle.Pid.ToString(CultureInfo.InvariantCulture);
        var children = $"/proc/{pid}/task/{pid}/children";
        var started = TimeProvider.System.GetTimestamp();
        while (true)
        {
            // The launcher shells exec in place, so until bwrap has forked the file is empty (or names no one yet).
            var text = "";
            try
            {
                if (File.ReadAllText($"/proc/{pid}/comm").StartsWith("bwrap", StringComparison.Ordinal))
                {
                    text = await File.ReadAllTextAsync(children, cancellationToken).ConfigureAwait(false);
                }
            }
            catch (IOException)
            {
            }

            var first = text.Split(' ', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault();
            if (first is not null && int.TryParse(first, NumberStyles.None, CultureInfo.InvariantCulture, out var child))
            {
                return child;
            }

            if (handle.Exited.IsCompleted)
            {
                throw new ProcessStartException($"bubblewrap exited (code {handle.Exited.Result}) before its sandbox was made; see {name}'s log.");
            }

            if (TimeProvider.System.GetElapsedTime(started) > TimeSpan.FromSeconds(10))
            {
                throw new ProcessStartException("bubblewrap did not make its sandbox within 10 s.");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(1), TimeProvider.System, cancellationToken).ConfigureAwait(false);
        }
    }
}
