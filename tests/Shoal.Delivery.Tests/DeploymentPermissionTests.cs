using Shoal.Http;

namespace Shoal.Delivery.Tests;

public class DeploymentPermissionTests
{
    private static readonly DeclaredService s_app = new("app", ["./app"], new HashSet<string>(["MODE"], StringComparer.Ordinal));

    private static DeploymentRequest Request(IReadOnlyList<string>? command = null, params string[] variables) => new()
    {
        Type = "canary",
        Version = "2",
        Command = command,
        Environment = variables.ToDictionary(v => v, _ => "x", StringComparer.Ordinal),
    };

    [Fact]
    public void Refusal_AdminChangingDeclaredVariable_IsAllowed() =>
        Assert.Null(DeploymentPermission.Refusal(AdminRole.Admin, s_app, Request(["./app"], "MODE")));

    [Fact]
    public void Refusal_AdminAddingVariables_NamesThem()
    {
        var refusal = DeploymentPermission.Refusal(AdminRole.Admin, s_app, Request(null, "NODE_OPTIONS", "LD_PRELOAD"));
        Assert.StartsWith("env: LD_PRELOAD, NODE_OPTIONS are not set for service 'app' in the stack file;", refusal, StringComparison.Ordinal);
    }

    [Fact]
    public void Refusal_AdminRunningAnotherCommand_IsRefused() =>
        Assert.StartsWith("'command' is not the one the stack file names for service 'app';", DeploymentPermission.Refusal(AdminRole.Admin, s_app, Request(["/bin/sh"])), StringComparison.Ordinal);

    [Fact]
    public void Refusal_Operator_MayRunAnything() =>
        Assert.Null(DeploymentPermission.Refusal(AdminRole.Operator, s_app, Request(["/bin/sh"], "LD_PRELOAD")));
}
