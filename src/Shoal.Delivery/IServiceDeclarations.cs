namespace Shoal.Delivery;

/// <summary>What the stack file says of a service that a deployment needs: its <c>deploy:</c> defaults and what it runs.</summary>
public interface IServiceDeclarations
{
    /// <summary>
    /// The service's <c>deploy:</c> settings as a request to fill in (type <c>canary</c>, no version); the built-in
    /// defaults when the file sets none or names no such service.
    /// </summary>
    DeploymentRequest Defaults(string service);

    /// <summary>What the stack file lets the service run, or null when this stack runs no such service.</summary>
    DeclaredService? Find(string service);
}
