namespace Shoal.Orchestration.Processes;

/// <summary>
/// The environment of a process Shoal starts. It never inherits the daemon's environment wholesale (which holds the
/// admin token, cloud credentials, whatever the operator's shell had): a child gets a small base set a program needs
/// to run, the names its definition asks to inherit, then the variables its definition sets.
/// </summary>
public static class ChildEnvironment
{
    /// <summary>
    /// Variables every child takes from the daemon when set: where programs are (<c>PATH</c>, <c>DOTNET_ROOT</c>),
    /// who and where the user is (<c>HOME</c>, <c>USER</c>, <c>LOGNAME</c>, <c>SHELL</c>), locale and time zone
    /// (<c>LANG</c>, <c>LANGUAGE</c>, <c>LC_*</c>, <c>TZ</c>), temporary files (<c>TMPDIR</c>) and the terminal (<c>TERM</c>).
    /// </summary>
    public static IReadOnlyList<string> BaseVariables { get; } =
        ["PATH", "HOME", "USER", "LOGNAME", "SHELL", "LANG", "LANGUAGE", "LC_ALL", "TZ", "TMPDIR", "TERM", "DOTNET_ROOT", "DOTNET_ROOT_X64", "DOTNET_ROOT_ARM64"];

    /// <summary>Names the daemon never passes on, even when asked to inherit them.</summary>
    public static IReadOnlyList<string> Secret { get; } = [Shoal.Http.AdminAuthentication.TokenVariable, Shoal.Http.AdminAuthentication.OperatorTokenVariable];

    /// <summary>
    /// The child's whole environment: the base set and <paramref name="inherit"/> from <paramref name="source"/> (the
    /// daemon's), then <paramref name="variables"/> (the definition's and Shoal's own), which win.
    /// </summary>
    public static Dictionary<string, string> Build(IReadOnlyDictionary<string, string> variables, IEnumerable<string> inherit, Func<string, string?> source)
    {
        ArgumentNullException.ThrowIfNull(variables);
        ArgumentNullException.ThrowIfNull(inherit);
        ArgumentNullException.ThrowIfNull(source);
        var environment = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var name in BaseVariables.Concat(inherit).Where(n => !Secret.Contains(n, StringComparer.Ordinal)))
        {
            if (source(name) is { } value)
            {
                environment[name] = value;
            }
        }

        foreach (var (name, value) in variables)
        {
            environment[name] = value;
        }

        return environment;
    }

    /// <summary>The locale variables <c>LC_CTYPE</c>, <c>LC_NUMERIC</c>, … set in <paramref name="all"/>, which belong to the base set too.</summary>
    public static IEnumerable<string> LocaleNames(System.Collections.IDictionary all)
    {
        ArgumentNullException.ThrowIfNull(all);
        return all.Keys.OfType<string>().Where(k => k.StartsWith("LC_", StringComparison.Ordinal)).Order(StringComparer.Ordinal);
    }
}
