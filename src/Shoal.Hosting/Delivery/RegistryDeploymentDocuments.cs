using Shoal.Delivery;
using Shoal.Registry;

namespace Shoal.Hosting.Delivery;

/// <summary>Deployments kept as documents next to the registrations, under <c>deployments/SERVICE</c>.</summary>
internal sealed class RegistryDeploymentDocuments(IRegistryStore store) : IDeploymentDocuments
{
    private const string Prefix = "deployments/";

    public async Task<IReadOnlyDictionary<string, string>> LoadAllAsync(CancellationToken cancellationToken)
    {
        var documents = await store.ReadDocumentsAsync(Prefix, cancellationToken).ConfigureAwait(false);
        return documents.ToDictionary(d => d.Key[Prefix.Length..], d => d.Value, StringComparer.Ordinal);
    }

    public Task SaveAsync(string service, string json, CancellationToken cancellationToken) =>
        store.PutDocumentAsync(Prefix + service, json, cancellationToken);
}
