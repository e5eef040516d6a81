using System.Collections.Concurrent;

namespace Shoal.Delivery.Tests.Fakes;

/// <summary>Deployment documents in memory.</summary>
internal sealed class FakeDocuments(Action changed) : IDeploymentDocuments
{
    public ConcurrentDictionary<string, string> Documents { get; } = new(StringComparer.Ordinal);

    public Task<IReadOnlyDictionary<string, string>> LoadAllAsync(CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyDictionary<string, string>>(new Dictionary<string, string>(Documents, StringComparer.Ordinal));

    public Task SaveAsync(string service, string json, CancellationToken cancellationToken)
    {
        Documents[service] = json;
        changed();
        return Task.CompletedTask;
    }
}
