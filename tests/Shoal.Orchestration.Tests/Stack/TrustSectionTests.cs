using Shoal.Configuration;
using Shoal.Functions.Configuration;
using Shoal.Orchestration.Stack;

namespace Shoal.Orchestration.Tests.Stack;

/// <summary><c>inherit_env</c>, <c>gateway.operator_token</c> and <c>functions.invoke_credentials</c>.</summary>
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

    [Fact]
    public void OperatorToken_IsRead_AndMustDifferFromTheAdminToken()
    {
        var stack = Parse("gateway:\n  admin_token: aaaaaaaaaaaaaaaa1\n  operator_token: bbbbbbbbbbbbbbbb2\nservices:\n  app:\n    command: [x]\n");

        Assert.Equal("bbbbbbbbbbbbbbbb2", stack.Gateway.OperatorToken);
        Assert.Equal("shoal.yml:3:19: gateway.operator_token: the operator token must differ from the admin token",
            ErrorOf("gateway:\n  admin_token: aaaaaaaaaaaaaaaa1\n  operator_token: aaaaaaaaaaaaaaaa1\nservices:\n  app:\n    command: [x]\n"));
        Assert.Equal("shoal.yml:2:19: gateway.operator_token: an operator token needs at least 16 characters",
            ErrorOf("gateway:\n  operator_token: short\nservices:\n  app:\n    command: [x]\n"));
    }

    [Fact]
    public void InvokeCredentials_AreRead_AndNeedBothFields()
    {
        File.WriteAllText(Path.Combine(_directory, "functions.yml"), "functions: {}");

        var stack = Parse("functions:\n  invoke_credentials: { access_key_id: AKIDLOCAL, secret_access_key: a-long-enough-secret }\n");

        Assert.Equal(new InvokeCredentials("AKIDLOCAL", "a-long-enough-secret"), stack.Functions.InvokeCredentials);
        Assert.DoesNotContain("a-long-enough-secret", stack.Functions.InvokeCredentials!.ToString(), StringComparison.Ordinal);
        Assert.Equal("shoal.yml:2:23: functions.invoke_credentials: invoke_credentials needs both access_key_id and secret_access_key",
            ErrorOf("functions:\n  invoke_credentials: { access_key_id: AKIDLOCAL }\n"));
        Assert.Null(Parse("name: x\n").Functions.InvokeCredentials);
    }
}
