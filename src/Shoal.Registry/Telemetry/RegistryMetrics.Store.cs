using System.Runtime.CompilerServices;

namespace Shoal.Registry.Telemetry;

/// <summary>The store decorator that times each operation.</summary>
internal sealed partial class RegistryMetrics
{
    private sealed class MeasuredStore(IRegistryStore inner, RegistryMetrics metrics) : IRegistryStore
    {
        public string Description => inner.Description;

        public bool Shared => inner.Shared;

        public bool ExpiresTtls => inner.ExpiresTtls;

        public Task OpenAsync(CancellationToken cancellationToken) => TimeAsync("open", Now, inner.OpenAsync(cancellationToken));

        public Task<RegistryView> ReadAsync(CancellationToken cancellationToken) => TimeAsync("read", Now, inner.ReadAsync(cancellationToken));

        public Task<long> PutAsync(Registration registration, CancellationToken cancellationToken) => TimeAsync("put", Now, inner.PutAsync(registration, cancellationToken));

        public Task<long?> DeleteAsync(string service, string id, CancellationToken cancellationToken) => TimeAsync("delete", Now, inner.DeleteAsync(service, id, cancellationToken));

        public Task<long?> HeartbeatAsync(string service, string id, CancellationToken cancellationToken) => TimeAsync("heartbeat", Now, inner.HeartbeatAsync(service, id, cancellationToken));

        public Task PutDocumentAsync(string key, string json, CancellationToken cancellationToken) => TimeAsync("put_document", Now, inner.PutDocumentAsync(key, json, cancellationToken));

        public Task<IReadOnlyDictionary<string, string>> ReadDocumentsAsync(string prefix, CancellationToken cancellationToken) => TimeAsync("read_documents", Now, inner.ReadDocumentsAsync(prefix, cancellationToken));

        public Task<TimeSpan?> SweepAsync(CancellationToken cancellationToken) => TimeAsync("sweep", Now, inner.SweepAsync(cancellationToken));

        public async IAsyncEnumerable<RegistryEvent> WatchAsync(long afterIndex, [EnumeratorCancellation] CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref metrics._watchers);
            try
            {
                await foreach (var e in inner.WatchAsync(afterIndex, cancellationToken).ConfigureAwait(false))
                {
                    yield return e;
                }
            }
            finally
            {
                Interlocked.Decrement(ref metrics._watchers);
            }
        }

        public ValueTask DisposeAsync() => inner.DisposeAsync();

        /// <summary>Read before the operation starts: arguments are evaluated left to right.</summary>
        private long Now => metrics._time.GetTimestamp();

        private async Task TimeAsync(string operation, long started, Task task)
        {
            try
            {
                await task.ConfigureAwait(false);
            }
            finally
            {
                metrics.Record(operation, started);
            }
        }

        private async Task<T> TimeAsync<T>(string operation, long started, Task<T> task)
        {
            try
            {
                return await task.ConfigureAwait(false);
            }
            finally
            {
                metrics.Record(operation, started);
            }
        }
    }
}
