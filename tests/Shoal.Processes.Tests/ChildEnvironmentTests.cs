
namespace Shoal.Processes.Tests;

public sealed class ChildEnvironmentTests
{
    private static readonly Dictionary<string, string> s_daemon = new(StringComparer.Ordinal)
    {
        ["PATH"] = "/usr/bin:/bin",
        ["HOME"] = "/root",
        ["LANG"] = "C.UTF-8",
        ["DOTNET_ROOT"] = "/usr/share/dotnet",
        ["SHOAL_ADMIN_TOKEN"] = "the-admin-token-value",
        ["SHOAL_OPERATOR_TOKEN"] = "the-operator-token-value",
        ["AWS_SECRET_ACCESS_KEY"] = "daemon-secret",
        ["DATABASE_PASSWORD"] = "hunter2",
        ["KEEP_ME"] = "kept",
    };

    private static string? Daemon(string name) => s_daemon.TryGetValue(name, out var value) ? value : null;

    [Fact]
    public void Build_TakesTheBaseSetOnly_NotTheDaemonsSecrets()
    {
        var environment = ChildEnvironment.Build(new Dictionary<string, string>(), [], Daemon);

        Assert.Equal(["DOTNET_ROOT", "HOME", "LANG", "PATH"], environment.Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Build_InheritedNames_AreAdded_ButNeverShoalsTokens()
    {
        var environment = ChildEnvironment.Build(new Dictionary<string, string>(), ["KEEP_ME", "SHOAL_ADMIN_TOKEN", "SHOAL_OPERATOR_TOKEN", "NOT_SET"], Daemon);

        Assert.Equal("kept", environment["KEEP_ME"]);
        Assert.DoesNotContain("SHOAL_ADMIN_TOKEN", environment.Keys);
        Assert.DoesNotContain("SHOAL_OPERATOR_TOKEN", environment.Keys);
        Assert.DoesNotContain("NOT_SET", environment.Keys);
    }

    [Fact]
    public void Build_DefinitionsVariables_WinOverInheritedOnes()
    {
        var environment = ChildEnvironment.Build(new Dictionary<string, string> { ["PATH"] = "/opt/bin", ["PORT"] = "8080" }, ["KEEP_ME"], Daemon);

        Assert.Equal("/opt/bin", environment["PATH"]);
        Assert.Equal("8080", environment["PORT"]);
    }

    [Fact]
    public void LocaleNames_AreTheLcVariables()
    {
        var all = new System.Collections.Hashtable { ["LC_CTYPE"] = "x", ["LC_TIME"] = "y", ["LANG"] = "z", ["XLC_A"] = "w" };

        Assert.Equal(["LC_CTYPE", "LC_TIME"], ChildEnvironment.LocaleNames(all));
    }
}
