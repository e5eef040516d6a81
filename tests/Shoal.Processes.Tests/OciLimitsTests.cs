namespace Shoal.Processes.Tests;

[Collection(RealRuntimes.Collection)]
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class OciLimitsTests : RuntimeLimitsTests
{
    private readonly string _state = System.IO.Directory.CreateTempSubdirectory("shoal-oci-").FullName;

    public OciLimitsTests() => Runtime = OciProcessRuntime.Create(TimeProvider.System, null, _state);

    protected override IProcessRuntime Runtime { get; }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        System.IO.Directory.Delete(_state, recursive: true);
    }
}
