namespace Shoal.Testing;

/// <summary>Runs the real <c>./shoal</c> launcher.</summary>
public static class ShoalCli
{
    private static readonly SemaphoreSlim s_built = new(1, 1);
    private static bool s_ready;

    public static async Task<ProcessRunner.Result> RunAsync(string workingDirectory, params string[] arguments) =>
        await RunAsync(workingDirectory, TimeSpan.FromMinutes(3), arguments);

    public static async Task<ProcessRunner.Result> RunAsync(string workingDirectory, TimeSpan timeout, params string[] arguments) =>
        await RunAsync(workingDirectory, timeout, environment: null, arguments);

    /// <summary>Runs <c>./shoal</c> with <paramref name="environment"/> added to this process's.</summary>
    public static async Task<ProcessRunner.Result> RunAsync(string workingDirectory, TimeSpan timeout, IDictionary<string, string>? environment, params string[] arguments)
    {
        await EnsureBuiltAsync();
        return await ProcessRunner.RunAsync(RepoPaths.Shoal, arguments, workingDirectory, timeout, environment);
    }

    /// <summary>The first call builds the CLI (the launcher rebuilds when sources changed); later calls start at once.</summary>
    public static async Task EnsureBuiltAsync()
    {
        if (s_ready)
        {
            return;
        }

        await s_built.WaitAsync();
        try
        {
            if (!s_ready)
            {
                var result = await ProcessRunner.RunAsync(RepoPaths.Shoal, ["--version"], RepoPaths.Root, TimeSpan.FromMinutes(5));
                if (result.ExitCode != 0)
                {
                    throw new InvalidOperationException("./shoal could not be built: " + result);
                }

                s_ready = true;
            }
        }
        finally
        {
            s_built.Release();
        }
    }
}
