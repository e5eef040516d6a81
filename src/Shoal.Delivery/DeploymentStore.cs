using System.Text.Json;
using System.Text.Json.Serialization;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace Shoal.Delivery;

/// <summary>
/// Keeps each service's last deployment in <see cref="IDeploymentDocuments"/>: saves are queued as the state changes
/// (under the controller's lock) and written in order by one loop, so a slow store never holds a deployment up.
/// </summary>
public sealed class DeploymentStore : IAsyncDisposable
{
    private readonly IDeploymentDocuments _documents;
    private readonly ILogger _logger;
    private readonly Channel<(string Service, string Json)> _saves = Channel.CreateUnbounded<(string, string)>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Task _saver;

    /// <summary>Starts the save loop over <paramref name="documents"/>.</summary>
    public DeploymentStore(IDeploymentDocuments documents, ILogger logger)
    {
        _documents = documents;
        _logger = logger;
        _saver = SaveLoopAsync();
    }

    /// <summary>The JSON a deployment is stored as.</summary>
    internal static JsonSerializerOptions StoredJson { get; } = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };

    /// <summary>The last deployment of every service, as stored (for the daemon to run promoted versions after a restart).</summary>
    public static async Task<IReadOnlyList<StoredDeployment>> LoadAsync(IDeploymentDocuments documents, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(documents);
        var all = await documents.LoadAllAsync(cancellationToken).ConfigureAwait(false);
        return all.Values.Select(json => JsonSerializer.Deserialize<StoredDeployment>(json, StoredJson)!).ToList();
    }

    /// <inheritdoc cref="LoadAsync(IDeploymentDocuments, CancellationToken)"/>
    public Task<IReadOnlyList<StoredDeployment>> LoadAsync(CancellationToken cancellationToken) => LoadAsync(_documents, cancellationToken);

    /// <summary>Queues the deployment's state to be written.</summary>
    public void Save(StoredDeployment deployment)
    {
        ArgumentNullException.ThrowIfNull(deployment);
        _saves.Writer.TryWrite((deployment.Service, JsonSerializer.Serialize(deployment, StoredJson)));
    }

    private async Task SaveLoopAsync()
    {
        await foreach (var (service, json) in _saves.Reader.ReadAllAsync().ConfigureAwait(false))
        {
            try
            {
                await _documents.SaveAsync(service, json, CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                Log.SaveFailed(_logger, service, ex.Message);
            }
        }
    }

    /// <summary>Writes what is queued, then stops.</summary>
    public async ValueTask DisposeAsync()
    {
        _saves.Writer.TryComplete();
        await _saver.ConfigureAwait(false);
    }
}
