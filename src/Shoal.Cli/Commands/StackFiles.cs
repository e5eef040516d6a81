using Shoal.Cli.Hosting;
using Shoal.Configuration;
using Shoal.Orchestration.Stack;

namespace Shoal.Cli.Commands;

/// <summary>Finds and loads the stack file the way every command does.</summary>
internal static class StackFiles
{
    /// <summary>Loads and validates the stack file.</summary>
    /// <exception cref="ConfigFileException">It is missing or invalid.</exception>
    public static StackDefinition Load(string? file)
    {
        var stack = StackSections.Load(StackFileLoader.Locate(file));

        // The functions' files are part of the stack: report their problems before anything starts.
        _ = LoadFunctions(stack);
        return stack;
    }

    /// <summary>The stack's functions and routes, or null when it has none.</summary>
    public static Shoal.Functions.Configuration.FunctionsConfiguration? LoadFunctions(StackDefinition stack) =>
        stack.Functions.DefinitionsFile is { } definitions
            ? Shoal.Functions.Configuration.FunctionsFileLoader.Load(definitions, stack.Functions.RoutingFile)
            : null;

    /// <summary>The configured admin token for a stack: <c>SHOAL_ADMIN_TOKEN</c>, else the file's <c>gateway.admin_token</c> when the file loads; null when <c>up</c> generates one.</summary>
    public static string? AdminToken(string? file)
    {
        try
        {
            return Load(file).Gateway.AdminToken;
        }
        catch (ConfigFileException)
        {
            return Environment.GetEnvironmentVariable(Shoal.Hosting.AdminAuthentication.TokenVariable);
        }
    }

    /// <summary>The <c>.shoal/</c> directory of a stack file, without validating the file (so <c>down</c> works after a bad edit).</summary>
    public static string StateDirectory(string? file) =>
        Path.Combine(Path.GetDirectoryName(Path.GetFullPath(StackFileLoader.Locate(file)))!, ".shoal");
}
