using System.Runtime.CompilerServices;
using Etcdserverpb;
using Mvccpb;
using Grpc.Core;

namespace Shoal.Registry.Stores;

/// <summary>Watching: etcd key events turned into instance events, resumed on another member when the serving one goes away.</summary>
public sealed partial class EtcdRegistryStore
{
    /// <inheritdoc />
    public async IAsyncEnumerable<RegistryEvent> WatchAsync(long afterIndex, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var state = new State(_prefix);
        try
        {
            if (afterIndex > 0)
            {
                await state.LoadAsync(_kv, afterIndex, Options(cancellationToken)).ConfigureAwait(false);
            }
        }
        catch (RpcException ex) when (ex.Status.Detail.Contains("compacted", StringComparison.Ordinal))
        {
            throw new RegistryHistoryLostException(afterIndex, -1);
        }

        var next = afterIndex + 1;
        while (!cancellationToken.IsCancellationRequested)
        {
            using var call = _watch.Watch(cancellationToken: cancellationToken);
            await call.RequestStream.WriteAsync(new WatchRequest
            {
                CreateRequest = new WatchCreateRequest { Key = Bytes(_prefix + "/"), RangeEnd = RangeEnd(_prefix + "/"), StartRevision = next },
            }, cancellationToken).ConfigureAwait(false);

            var responses = call.ResponseStream.ReadAllAsync(cancellationToken).GetAsyncEnumerator(cancellationToken);
            try
            {
                while (true)
                {
                    WatchResponse response;
                    try
                    {
                        if (!await responses.MoveNextAsync().ConfigureAwait(false))
                        {
                            break;
                        }

                        response = responses.Current;
                    }
                    catch (RpcException ex) when (ex.StatusCode is StatusCode.Unavailable or StatusCode.Internal or StatusCode.Unknown && !cancellationToken.IsCancellationRequested)
                    {
                        break;
                    }

                    if (response.CompactRevision > 0)
                    {
                        throw new RegistryHistoryLostException(next - 1, response.CompactRevision);
                    }

                    foreach (var group in response.Events.GroupBy(e => e.Kv.ModRevision))
                    {
                        foreach (var change in state.Apply(group.Key, group))
                        {
                            yield return change;
                        }

                        next = group.Key + 1;
                    }
                }
            }
            finally
            {
                await responses.DisposeAsync().ConfigureAwait(false);
            }

            // The member serving the watch went away: resume from the next revision on another.
            await Task.Delay(TimeSpan.FromMilliseconds(100), _time, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The registry as rebuilt from keys: turns etcd's key events into instance events.</summary>
    private sealed class State(string prefix)
    {
        private readonly Dictionary<(string, string), Registration> _instances = [];
        private readonly HashSet<(string, string)> _alive = [];

        public IEnumerable<RegistryEntry> Entries() => _instances.Keys.Select(Entry).OfType<RegistryEntry>();

        /// <summary>Reads every key at <paramref name="revision"/> (0: the latest); returns the revision read.</summary>
        public async Task<long> LoadAsync(KV.KVClient kv, long revision, CallOptions options)
        {
            var response = await kv.RangeAsync(new RangeRequest { Key = Bytes(prefix + "/"), RangeEnd = RangeEnd(prefix + "/"), Revision = revision }, options).ConfigureAwait(false);
            foreach (var pair in response.Kvs)
            {
                Set(pair, deleted: false);
            }

            return revision > 0 ? revision : response.Header.Revision;
        }

        /// <summary>Applies the key changes of one revision; yields the instance events they make.</summary>
        public IEnumerable<RegistryEvent> Apply(long revision, IEnumerable<Event> changes)
        {
            var touched = new List<((string, string) Key, RegistryEntry? Before)>();
            var list = changes.ToList();
            foreach (var change in list)
            {
                if (Parse(change.Kv.Key.ToStringUtf8()) is { } parsed && touched.All(t => t.Key != parsed.Key))
                {
                    touched.Add((parsed.Key, Entry(parsed.Key)));
                }
            }

            foreach (var change in list)
            {
                Set(change.Kv, change.Type == Event.Types.EventType.Delete);
            }

            foreach (var (key, before) in touched)
            {
                var after = Entry(key);
                if (RegistryEvent.Classify(before, after) is { } kind)
                {
                    yield return new RegistryEvent(revision, kind, after ?? before!);
                }
            }
        }

        private RegistryEntry? Entry((string, string) key) =>
            _instances.TryGetValue(key, out var registration) ? new RegistryEntry(registration, registration.Ttl is not null && !_alive.Contains(key)) : null;

        private void Set(KeyValue pair, bool deleted)
        {
            if (Parse(pair.Key.ToStringUtf8()) is not { } parsed)
            {
                return;
            }

            if (parsed.Kind == 'i')
            {
                if (deleted)
                {
                    _instances.Remove(parsed.Key);
                }
                else
                {
                    _instances[parsed.Key] = RegistrationCodec.Decode(pair.Value.ToStringUtf8());
                }
            }
            else if (deleted)
            {
                _alive.Remove(parsed.Key);
            }
            else
            {
                _alive.Add(parsed.Key);
            }
        }

        private (char Kind, (string, string) Key)? Parse(string key)
        {
            // PREFIX/i/SERVICE/ID or PREFIX/a/SERVICE/ID
            if (!key.StartsWith(prefix + "/", StringComparison.Ordinal))
            {
                return null;
            }

            var parts = key[(prefix.Length + 1)..].Split('/');
            return parts.Length == 3 && parts[0] is "i" or "a" ? (parts[0][0], (parts[1], parts[2])) : null;
        }
    }
}
