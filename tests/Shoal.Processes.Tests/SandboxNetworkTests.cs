namespace Shoal.Processes.Tests;

[Collection(RealRuntimes.Collection)]
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class SandboxNetworkTests : NetworkIsolationTests
{
    protected override IProcessRuntime Runtime { get; } = SandboxProcessRuntime.Create(TimeProvider.System);
}
