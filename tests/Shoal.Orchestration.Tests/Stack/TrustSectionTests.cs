using Shoal.Configuration;
using Shoal.Orchestration.Stack;

namespace Shoal.Orchestration.Tests.Stack;

/// <summary><c>inherit_env</c> (the gateway's operator token and the Invoke API's credentials are tested with their readers).</summary>
public sealed class TrustSectionTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("shoal-trust-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private StackDefinition Parse(string yaml) => StandardStack.Parse(yaml, Path.Combine(_directory, "shoal.yml"), "shoal.yml");

    private string ErrorOf(string yaml) => Assert.Throws<ConfigFileException>(() => Parse(yaml)).Message;

    [Fact]
    public void InheritEnv_IsRead_AndDefaultsToNothing()
    {
        var stack = Parse("services:\n  app:\n    command: [x]\n    inherit_env: [HTTP_PROXY, no_proxy]\n  b:\n    command: [y]\n");

        Assert.Equal(["HTTP_PROXY", "no_proxy"], stack.FindService("app")!.InheritEnvironment);
        Assert.Empty(stack.FindService("b")!.InheritEnvironment);
    }

    [Theory]
    [InlineData("[1X]", "shoal.yml:4:19: services.app.inherit_env: '1X' is not an environment variable name (letters, digits and '_', not starting with a digit)")]
    [InlineData("[SHOAL_ADMIN_TOKEN]", "shoal.yml:4:19: services.app.inherit_env: SHOAL_ADMIN_TOKEN is Shoal's own secret and never passed to a child")]
    public void InheritEnv_BadName_IsLocated(string list, string expected)
    {
        Assert.Equal(expected, ErrorOf($"services:\n  app:\n    command: [x]\n    inherit_env: {list}\n"));
    }
}
