namespace Shoal.Processes;

/// <summary>What an isolating runtime (<see cref="RuntimeKind.Sandbox"/>, <see cref="RuntimeKind.Oci"/>, <see cref="RuntimeKind.Docker"/>) needs beyond the command; a bare process ignores it.</summary>
public sealed record IsolationOptions
{
    /// <summary>No image, the host network, a writable working directory.</summary>
    public static IsolationOptions Default { get; } = new();

    /// <summary>
    /// The root file system: for <c>oci</c> a directory, an OCI image layout directory or an OCI/<c>docker save</c>
    /// tarball (absolute path); for <c>docker</c> an image name the engine pulls; null for the host's own directories.
    /// </summary>
    public string? Image { get; init; }

    /// <summary>The network the instance sees.</summary>
    public NetworkMode Network { get; init; } = NetworkMode.Host;

    /// <summary>
    /// With <see cref="NetworkMode.Isolated"/>: the instance's address, taken by a caller that needs it before the
    /// instance starts (and gives it back after it has stopped); null to let the runtime take one for the instance's life.
    /// </summary>
    public Networking.NetworkLease? Lease { get; init; }

    /// <summary>True when the working directory is bound read-only (a function's code, as Lambda's /var/task).</summary>
    public bool ReadOnlyWorkingDirectory { get; init; }
}
