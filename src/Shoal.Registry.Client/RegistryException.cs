namespace Shoal.Registry.Client;

/// <summary>The registry refused a request; <see cref="Exception.Message"/> is its problem detail.</summary>
public sealed class RegistryException(int status, string detail) : Exception($"{status}: {detail}")
{
    /// <summary>The HTTP status.</summary>
    public int Status { get; } = status;
}
