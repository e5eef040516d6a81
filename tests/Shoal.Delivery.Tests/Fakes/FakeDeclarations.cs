namespace Shoal.Delivery.Tests.Fakes;

/// <summary>Service <c>app</c>, running <c>./app</c> with <c>MODE</c> set.</summary>
internal sealed class FakeDeclarations : IServiceDeclarations
{
    public DeploymentRequest Defaults(string service) => new() { Type = "canary", Version = "" };

    public DeclaredService? Find(string service) =>
        service == "app" ? new DeclaredService("app", ["./app"], new HashSet<string>(["MODE"], StringComparer.Ordinal)) : null;
}
