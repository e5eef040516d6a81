namespace Shoal.Processes.Tests;

[Collection(RealRuntimes.Collection)]
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class OciNetworkTests : NetworkIsolationTests
{
    private readonly string _state = System.IO.Directory.CreateTempSubdirectory("shoal-ocinet-").FullName;

    public OciNetworkTests() => Runtime = OciProcessRuntime.Create(TimeProvider.System, null, _state);

    protected override IProcessRuntime Runtime { get; }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        System.IO.Directory.Delete(_state, recursive: true);
    }
}
