using System.Diagnostics;

namespace Shoal.Testing;

/// <summary>A process the test starts and stops itself (a service outside the stack, a long-running CLI command), with its output lines kept.</summary>
public sealed class BackgroundProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly List<string> _lines = [];

    private BackgroundProcess(Process process)
    {
        _process = process;
        process.OutputDataReceived += (_, e) => Keep(e.Data);
        process.ErrorDataReceived += (_, e) => Keep(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public int Pid => _process.Id;

    public bool HasExited => _process.HasExited;

    /// <summary>Every line written so far to stdout or stderr.</summary>
    public IReadOnlyList<string> Lines
    {
        get
        {
            lock (_lines)
            {
                return [.. _lines];
            }
        }
    }

    public static BackgroundProcess Start(string fileName, IEnumerable<string> arguments, IDictionary<string, string>? environment = null, string? workingDirectory = null)
    {
        var start = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? RepoPaths.Root,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }

        return new BackgroundProcess(Process.Start(start)!);
    }

    /// <summary>Starts <c>./shoal ARGS</c> in the background.</summary>
    public static async Task<BackgroundProcess> ShoalAsync(params string[] arguments)
    {
        await ShoalCli.EnsureBuiltAsync();
        return Start(RepoPaths.Shoal, arguments);
    }

    /// <summary>Starts the sample app outside any stack on <paramref name="port"/>.</summary>
    public static BackgroundProcess SampleApp(string instanceId, int port, IDictionary<string, string>? environment = null)
    {
        var env = new Dictionary<string, string>(environment ?? new Dictionary<string, string>())
        {
            ["PORT"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["SHOAL_INSTANCE_ID"] = instanceId,
            ["SQLITE_PATH"] = Path.Combine(Path.GetTempPath(), $"shoal-sample-{instanceId}-{port}.db"),
        };
        return Start("dotnet", [RepoPaths.SampleApp], env);
    }

    /// <summary>SIGKILL: the process gets no chance to clean up.</summary>
    public async Task KillAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _process.Dispose();
    }

    private void Keep(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_lines)
        {
            _lines.Add(line);
        }
    }
}
