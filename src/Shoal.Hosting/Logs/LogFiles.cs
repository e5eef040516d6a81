using System.Text.RegularExpressions;

namespace Shoal.Hosting.Logs;

/// <summary>
/// Where an instance's output is: a replica's in <c>logs/INSTANCE.log</c>, a function instance's in
/// <c>agent/logs/STACK.FUNCTION.ID.log</c>, both under the stack's state directory. Names are checked before they
/// touch a path, so no request reaches a file outside those two folders.
/// </summary>
internal static partial class LogFiles
{
    /// <summary>
    /// The log file of <paramref name="instance"/> of <paramref name="service"/> (a service or a function; a function
    /// instance as <c>FUNCTION.ID</c> or its id alone), or an error for names that are not Shoal names.
    /// </summary>
    public static (string? Path, string? Error) Resolve(string stateDirectory, string stackName, string? service, string? instance)
    {
        if (service is null || !Name().IsMatch(service))
        {
            return (null, "'service' must be a service or function name (letters, digits, '_' and '-').");
        }

        if (instance is null || !Name().IsMatch(instance.Replace(".", "", StringComparison.Ordinal)) || instance.Contains("..", StringComparison.Ordinal))
        {
            return (null, "'instance' must be an instance id (letters, digits, '.', '_' and '-').");
        }

        if (IsReplicaOf(instance, service))
        {
            return (Path.Combine(stateDirectory, "logs", instance + ".log"), null);
        }

        var id = instance.StartsWith(service + ".", StringComparison.Ordinal) ? instance[(service.Length + 1)..] : instance;
        if (id.Contains('.', StringComparison.Ordinal))
        {
            return (null, $"'{instance}' is not an instance of '{service}'.");
        }

        return (Path.Combine(stateDirectory, "agent", "logs", $"{stackName}.{service}.{id}.log"), null);
    }

    /// <summary>True for <c>SERVICE-N</c> and a deployment's <c>SERVICE-vVERSION-N</c>.</summary>
    public static bool IsReplicaOf(string instance, string service) =>
        instance.StartsWith(service + "-", StringComparison.Ordinal) && instance.Length > service.Length + 1 && char.IsAsciiDigit(instance[^1]);

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$")]
    private static partial Regex Name();
}
