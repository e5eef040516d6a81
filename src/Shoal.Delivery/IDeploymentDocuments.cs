namespace Shoal.Delivery;

/// <summary>Where deployments are kept across restarts: one JSON document per service, the last deployment of it.</summary>
public interface IDeploymentDocuments
{
    /// <summary>Every stored document, by service.</summary>
    Task<IReadOnlyDictionary<string, string>> LoadAllAsync(CancellationToken cancellationToken);

    /// <summary>Stores the service's document, replacing the one before.</summary>
    Task SaveAsync(string service, string json, CancellationToken cancellationToken);
}
