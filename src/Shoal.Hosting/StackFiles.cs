using Shoal.Configuration;
using Shoal.Functions.Configuration;
using Shoal.Http;
using Shoal.Orchestration.Stack;

namespace Shoal.Hosting;

/// <summary>Finds and loads the stack file the way every command does.</summary>
public static class StackFiles
{
    /// <summary>Reads and validates the stack file and its functions' files, each once; <c>${…}</c> read the environment over <paramref name="envFile"/> (default: the file's <c>.env</c>).</summary>
    /// <exception cref="ConfigFileException">A file is missing or invalid.</exception>
    public static LoadedStack Load(string? file, string? envFile = null) =>
        Load(string.IsNullOrEmpty(file) ? [] : [file], envFile, []);

    /// <summary>As <see cref="Load(string?, string?)"/>, for Compose's several <c>-f</c> files merged in order and its <c>--profile</c>s.</summary>
    /// <exception cref="ConfigFileException">A file is missing or invalid.</exception>
    public static LoadedStack Load(IReadOnlyList<string> files, string? envFile, IReadOnlyList<string> profiles)
    {
        ArgumentNullException.ThrowIfNull(files);
        var stack = StackSections.Load(files, envFile, profiles);

        // The functions' files are part of the stack: report their problems before anything starts.
        return new LoadedStack(stack, LoadFunctions(stack), files.Count > 0 ? files[0] : Path.GetFileName(stack.FilePath));
    }

    /// <summary>The configured admin token for a stack: <c>SHOAL_ADMIN_TOKEN</c>, else the file's <c>gateway.admin_token</c> when the file loads; null when <c>up</c> generates one.</summary>
    public static string? AdminToken(string? file)
    {
        try
        {
            return Load(file).Stack.Gateway.AdminToken;
        }
        catch (ConfigFileException)
        {
            return Environment.GetEnvironmentVariable(AdminAuthentication.TokenVariable);
        }
    }

    /// <summary>The <c>.shoal/</c> directory of a stack file, without validating the file (so <c>down</c> works after a bad edit).</summary>
    public static string StateDirectory(string? file) =>
        Path.Combine(Path.GetDirectoryName(Path.GetFullPath(StackFileLoader.Locate(file)))!, ".shoal");

    private static FunctionsConfiguration? LoadFunctions(StackDefinition stack) =>
        stack.Functions.DefinitionsFile is { } definitions
            ? FunctionsFileLoader.Load(definitions, stack.Functions.RoutingFile)
            : null;
}
