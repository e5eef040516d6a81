namespace Shoal.Testing;

/// <summary>Where things are in the repository, found from the test assembly's location.</summary>
public static class RepoPaths
{
    public static string Root { get; } = FindRoot();

    /// <summary>The <c>./shoal</c> launcher.</summary>
    public static string Shoal => Path.Combine(Root, "shoal");

    /// <summary>The build configuration folder of the running tests (e.g. <c>release</c>).</summary>
    public static string Configuration => new DirectoryInfo(AppContext.BaseDirectory).Name;

    /// <summary>The sample app assembly built with the tests.</summary>
    public static string SampleApp => Path.Combine(Root, "artifacts", "bin", "Shoal.Samples.App", Configuration, "Shoal.Samples.App.dll");

    /// <summary>The ledger sample (it consumes the sample app's transfer events) built with the tests.</summary>
    public static string SampleLedger => Path.Combine(Root, "artifacts", "bin", "Shoal.Samples.Ledger", Configuration, "Shoal.Samples.Ledger.dll");

    private static string FindRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Shoal.slnx")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("Cannot find the repository root (Shoal.slnx) above " + AppContext.BaseDirectory);
    }
}
