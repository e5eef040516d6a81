namespace Shoal.Delivery;

/// <summary>An operation that does not fit the deployment's state (409) or asks for something impossible (400).</summary>
public sealed class DeploymentException(int status, string message) : Exception(message)
{
    /// <summary>409 or 400.</summary>
    public int Status { get; } = status;
}
