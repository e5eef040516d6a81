using System.Diagnostics;
using Shoal.Files;
using Shoal.Orchestration.Lifecycle;
using Shoal.Orchestration.Stack;

namespace Shoal.Orchestration.Build;

/// <summary>Builds the <c>project:</c> services of a stack once (Release), and again only when their sources changed.</summary>
public static class ProjectBuilder
{
    /// <summary>The argv of every service: <c>command</c> as written, or <c>dotnet</c> plus the built assembly.</summary>
    /// <param name="stack">The stack.</param>
    /// <param name="progress">Told which project is being built.</param>
    /// <param name="cancellationToken">Stops a build.</param>
    /// <exception cref="ProjectBuildException">A build failed.</exception>
    public static async Task<Dictionary<string, ResolvedCommand>> ResolveCommandsAsync(StackDefinition stack, Action<string> progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stack);
        ArgumentNullException.ThrowIfNull(progress);
        var commands = new Dictionary<string, ResolvedCommand>(StringComparer.Ordinal);
        foreach (var service in stack.Services.Where(s => !s.External))
        {
            if (service.Command is { } argv)
            {
                commands[service.Name] = new ResolvedCommand(argv, PassUrls: false);
                continue;
            }

            var target = await BuildAsync(service.Project!, Path.Combine(stack.StateDirectory, "build", service.Name + ".target"), progress, cancellationToken).ConfigureAwait(false);
            commands[service.Name] = new ResolvedCommand(["dotnet", target], PassUrls: true);
        }

        return commands;
    }

    /// <summary>Builds a project (Release) unless its sources are older than the last build; returns the built assembly.</summary>
    /// <exception cref="ProjectBuildException">The build failed.</exception>
    public static async Task<string> BuildAsync(string project, string stampFile, Action<string> progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(project);
        ArgumentNullException.ThrowIfNull(progress);
        if (File.Exists(stampFile))
        {
            var previous = (await File.ReadAllTextAsync(stampFile, cancellationToken).ConfigureAwait(false)).Trim();
            if (File.Exists(previous) && NewestSource(Path.GetDirectoryName(project)!) <= File.GetLastWriteTimeUtc(stampFile))
            {
                return previous;
            }
        }

        progress($"building {project}");
        var startInfo = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { "build", project, "-c", "Release", "-t:Build", "-getProperty:TargetPath", "-nologo" })
        {
            startInfo.ArgumentList.Add(argument);
        }

        using var process = Process.Start(startInfo) ?? throw new ProjectBuildException($"Could not run 'dotnet build' for {project}.");
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        var output = await stdout.ConfigureAwait(false);
        var errors = await stderr.ConfigureAwait(false);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (process.ExitCode != 0 || lines.Length == 0 || !File.Exists(lines[^1]))
        {
            var detail = string.Join(Environment.NewLine, lines.Concat(errors.Split('\n', StringSplitOptions.RemoveEmptyEntries)).Where(l => l.Contains("error", StringComparison.OrdinalIgnoreCase)).Take(20));
            throw new ProjectBuildException($"Building {project} failed (dotnet build exit code {process.ExitCode}).{Environment.NewLine}{detail}");
        }

        PrivateFiles.WriteAllText(stampFile, lines[^1]);
        return lines[^1];
    }

    private static DateTime NewestSource(string directory)
    {
        var newest = DateTime.MinValue;
        var pending = new Stack<string>();
        pending.Push(directory);
        while (pending.Count > 0)
        {
            var current = pending.Pop();
            foreach (var file in Directory.EnumerateFiles(current))
            {
                var written = File.GetLastWriteTimeUtc(file);
                newest = written > newest ? written : newest;
            }

            foreach (var sub in Directory.EnumerateDirectories(current))
            {
                var name = Path.GetFileName(sub);
                if (name is not ("bin" or "obj" or "artifacts" or ".shoal" or "node_modules" or ".git"))
                {
                    pending.Push(sub);
                }
            }
        }

        return newest;
    }
}
