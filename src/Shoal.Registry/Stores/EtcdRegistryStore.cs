using System.Net;
using Etcdserverpb;
using Mvccpb;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using Grpc.Net.Client.Balancer;
using Grpc.Net.Client.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Shoal.Registry.Stores;

/// <summary>
/// The shared store: an etcd cluster, through etcd's v3 gRPC API (dotnet-etcd's generated clients). An instance is the
/// key <c>PREFIX/i/SERVICE/ID</c>; its TTL is an etcd lease on <c>PREFIX/a/SERVICE/ID</c>, so the cluster itself
/// expires it (the instance turns critical) and, with <c>deregister_after</c>, a second lease on the instance key
/// removes it. The index is etcd's revision, and a watch resumes from any revision etcd has not compacted.
/// </summary>
/// <remarks>
/// Every member is an address of one gRPC channel with round-robin balancing and retries on <c>Unavailable</c>, so a
/// member that dies costs no failed call; the watch stream reconnects from the last revision it delivered.
/// </remarks>
public sealed partial class EtcdRegistryStore : IRegistryStore
{
    private readonly GrpcChannel _channel;
    private readonly KV.KVClient _kv;
    private readonly Lease.LeaseClient _leases;
    private readonly Watch.WatchClient _watch;
    private readonly string _prefix;
    private readonly TimeProvider _time;

    /// <summary>Connects to the members <paramref name="endpoints"/> (host:port each) under key prefix <paramref name="prefix"/>.</summary>
    public EtcdRegistryStore(IReadOnlyList<DnsEndPoint> endpoints, string prefix, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        _prefix = prefix.TrimEnd('/');
        _time = timeProvider;
        Description = $"etcd://{string.Join(',', endpoints.Select(e => $"{e.Host}:{e.Port}"))}{_prefix}";
        var services = new ServiceCollection();
        services.AddSingleton<ResolverFactory>(new StaticResolverFactory(_ => endpoints.Select(e => new BalancerAddress(e.Host, e.Port)).ToArray()));
        var retry = new MethodConfig
        {
            Names = { MethodName.Default },
            RetryPolicy = new RetryPolicy
            {
                MaxAttempts = 5,
                InitialBackoff = TimeSpan.FromMilliseconds(50),
                MaxBackoff = TimeSpan.FromSeconds(1),
                BackoffMultiplier = 2,
                RetryableStatusCodes = { StatusCode.Unavailable },
            },
        };
        _channel = GrpcChannel.ForAddress("static:///etcd", new GrpcChannelOptions
        {
            Credentials = ChannelCredentials.Insecure,
            ServiceProvider = services.BuildServiceProvider(),
            ServiceConfig = new ServiceConfig { LoadBalancingConfigs = { new RoundRobinConfig() }, MethodConfigs = { retry } },
        });
        _kv = new KV.KVClient(_channel);
        _leases = new Lease.LeaseClient(_channel);
        _watch = new Watch.WatchClient(_channel);
    }

    /// <inheritdoc />
    public string Description { get; }

    /// <inheritdoc />
    public bool Shared => true;

    /// <inheritdoc />
    public bool ExpiresTtls => true;

    /// <summary>How long one call to etcd may take before it fails.</summary>
    public TimeSpan CallTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Parses <c>etcd://host:port[,host:port…][/prefix]</c>.</summary>
    public static (IReadOnlyList<DnsEndPoint> Endpoints, string Prefix)? TryParse(string address)
    {
        if (!address.StartsWith("etcd://", StringComparison.Ordinal))
        {
            return null;
        }

        var rest = address["etcd://".Length..];
        var slash = rest.IndexOf('/', StringComparison.Ordinal);
        var hosts = slash < 0 ? rest : rest[..slash];
        var prefix = slash < 0 ? "/shoal/registry" : rest[slash..];
        var endpoints = new List<DnsEndPoint>();
        foreach (var part in hosts.Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            var colon = part.LastIndexOf(':');
            if (colon <= 0 || !int.TryParse(part.AsSpan(colon + 1), out var port) || port is < 1 or > 65535)
            {
                return null;
            }

            endpoints.Add(new DnsEndPoint(part[..colon], port));
        }

        return endpoints.Count == 0 || prefix.Length < 2 ? null : (endpoints, prefix);
    }

    /// <inheritdoc />
    public async Task OpenAsync(CancellationToken cancellationToken) =>
        await _kv.RangeAsync(new RangeRequest { Key = Bytes(_prefix + "/"), RangeEnd = RangeEnd(_prefix + "/"), CountOnly = true }, Options(cancellationToken)).ConfigureAwait(false);

    /// <inheritdoc />
    public async Task<RegistryView> ReadAsync(CancellationToken cancellationToken)
    {
        var state = new State(_prefix);
        var revision = await state.LoadAsync(_kv, 0, Options(cancellationToken)).ConfigureAwait(false);
        return new RegistryView(revision, state.Entries().ToList());
    }

    /// <inheritdoc />
    /// <remarks>
    /// A new instance (the usual case) costs one round trip: a transaction that writes it if its key does not exist and
    /// otherwise reads it and its alive key, so that replacing a registered instance decides from what is stored. Its
    /// TTL lease is one granted ahead (see <see cref="LeaseAsync"/>), renewed alongside the write.
    /// </remarks>
    public async Task<long> PutAsync(Registration registration, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(registration);
        var instance = registration.Instance;
        var leases = await LeasesAsync(registration, grant: false, cancellationToken).ConfigureAwait(false);
        var create = Write(registration, leases, dropAlive: false);
        create.Compare.Add(new Compare { Key = Bytes(InstanceKey(instance.Service, instance.Id)), Target = Compare.Types.CompareTarget.Create, Result = Compare.Types.CompareResult.Equal, CreateRevision = 0 });
        create.Failure.Add(new RequestOp { RequestRange = new RangeRequest { Key = Bytes(InstanceKey(instance.Service, instance.Id)) } });
        create.Failure.Add(new RequestOp { RequestRange = new RangeRequest { Key = Bytes(AliveKey(instance.Service, instance.Id)) } });
        var response = await TxnAsync(create, registration, leases, cancellationToken).ConfigureAwait(false);
        if (response.Succeeded)
        {
            return response.Header.Revision;
        }

        // Registered already: keep its registration time, and write nothing when a client would see no change.
        var (current, alive) = Decode(response.Responses[0].ResponseRange.Kvs.FirstOrDefault(), response.Responses[1].ResponseRange.Kvs.FirstOrDefault());
        if (current is not null && instance.RegisteredAt == default)
        {
            registration = registration with { Instance = instance with { RegisteredAt = current.Registration.Instance.RegisteredAt } };
        }

        if (current is not null && RegistryEvent.Classify(current.Entry, new RegistryEntry(registration, false)) is null)
        {
            // Renew the TTL only, so the write costs no revision; the leases taken for it expire unused.
            return await HeartbeatAsync(instance.Service, instance.Id, cancellationToken).ConfigureAwait(false) ?? 0;
        }

        var replace = Write(registration, leases, dropAlive: alive is not null);
        response = await TxnAsync(replace, registration, leases, cancellationToken).ConfigureAwait(false);
        return response.Header.Revision;
    }

    /// <inheritdoc />
    public async Task<long?> DeleteAsync(string service, string id, CancellationToken cancellationToken)
    {
        var txn = new TxnRequest();
        txn.Success.Add(new RequestOp { RequestDeleteRange = new DeleteRangeRequest { Key = Bytes(InstanceKey(service, id)) } });
        txn.Success.Add(new RequestOp { RequestDeleteRange = new DeleteRangeRequest { Key = Bytes(AliveKey(service, id)) } });
        var response = await _kv.TxnAsync(txn, Options(cancellationToken)).ConfigureAwait(false);
        return response.Responses[0].ResponseDeleteRange.Deleted > 0 ? response.Header.Revision : null;
    }

    /// <inheritdoc />
    public async Task<long?> HeartbeatAsync(string service, string id, CancellationToken cancellationToken)
    {
        var (current, alive) = await GetAsync(service, id, cancellationToken).ConfigureAwait(false);
        if (current is null)
        {
            return null;
        }

        if (current.Lease != 0)
        {
            await KeepAliveAsync(current.Lease, cancellationToken).ConfigureAwait(false);
        }

        if (current.Registration.Ttl is not { } ttl)
        {
            return 0;
        }

        if (alive is not null && await KeepAliveAsync(alive.Lease, cancellationToken).ConfigureAwait(false))
        {
            return 0;
        }

        // The TTL ran out (the alive key is gone): a heartbeat brings the instance back.
        var lease = await GrantAsync(ttl, cancellationToken).ConfigureAwait(false);
        var put = await _kv.PutAsync(new PutRequest { Key = Bytes(AliveKey(service, id)), Value = ByteString.Empty, Lease = lease }, Options(cancellationToken)).ConfigureAwait(false);
        return put.Header.Revision;
    }

    /// <inheritdoc />
    public Task<TimeSpan?> SweepAsync(CancellationToken cancellationToken) => Task.FromResult<TimeSpan?>(null);

    /// <inheritdoc />
    public async Task PutDocumentAsync(string key, string json, CancellationToken cancellationToken) =>
        await _kv.PutAsync(new PutRequest { Key = Bytes($"{_prefix}/d/{key}"), Value = ByteString.CopyFromUtf8(json) }, Options(cancellationToken)).ConfigureAwait(false);

    /// <inheritdoc />
    public async Task<IReadOnlyDictionary<string, string>> ReadDocumentsAsync(string prefix, CancellationToken cancellationToken)
    {
        var start = $"{_prefix}/d/{prefix}";
        var response = await _kv.RangeAsync(new RangeRequest { Key = Bytes(start), RangeEnd = RangeEnd(start) }, Options(cancellationToken)).ConfigureAwait(false);
        return response.Kvs.ToDictionary(kv => kv.Key.ToStringUtf8()[($"{_prefix}/d/".Length)..], kv => kv.Value.ToStringUtf8(), StringComparer.Ordinal);
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync()
    {
        _closing.Cancel();
        _closing.Dispose();
        _channel.Dispose();
        return ValueTask.CompletedTask;
    }

    private string InstanceKey(string service, string id) => $"{_prefix}/i/{service}/{id}";

    private string AliveKey(string service, string id) => $"{_prefix}/a/{service}/{id}";

    private CallOptions Options(CancellationToken cancellationToken) => new(deadline: _time.GetUtcNow().UtcDateTime + CallTimeout, cancellationToken: cancellationToken);

    /// <summary>
    /// Reads an instance and its alive key from the member the channel picks, without a quorum round (a serializable
    /// read): it only decides what a write keeps and which leases a heartbeat renews, and the write itself goes through raft.
    /// </summary>
    private async Task<(Stored? Instance, KeyValue? Alive)> GetAsync(string service, string id, CancellationToken cancellationToken)
    {
        var instanceRead = _kv.RangeAsync(new RangeRequest { Key = Bytes(InstanceKey(service, id)), Serializable = true }, Options(cancellationToken)).ResponseAsync;
        var aliveRead = _kv.RangeAsync(new RangeRequest { Key = Bytes(AliveKey(service, id)), Serializable = true }, Options(cancellationToken)).ResponseAsync;
        var (instanceResponse, aliveResponse) = (await instanceRead.ConfigureAwait(false), await aliveRead.ConfigureAwait(false));
        return Decode(instanceResponse.Kvs.FirstOrDefault(), aliveResponse.Kvs.FirstOrDefault());
    }

    /// <summary>An instance as stored under its key and its alive key (either may be missing).</summary>
    private static (Stored? Instance, KeyValue? Alive) Decode(KeyValue? instance, KeyValue? alive)
    {
        if (instance is null)
        {
            return (null, null);
        }

        var registration = RegistrationCodec.Decode(instance.Value.ToStringUtf8());
        var expired = registration.Ttl is not null && alive is null;
        return (new Stored(registration, expired, instance.Lease), alive);
    }

    private Task<long> GrantAsync(TimeSpan ttl, CancellationToken cancellationToken) => GrantAsync(Seconds(ttl), cancellationToken);

    private async Task<long> GrantAsync(long seconds, CancellationToken cancellationToken)
    {
        var grant = await _leases.LeaseGrantAsync(new LeaseGrantRequest { TTL = seconds }, Options(cancellationToken)).ConfigureAwait(false);
        return grant.ID;
    }

    /// <summary>Renews a lease once; false when it has already expired.</summary>
    private async Task<bool> KeepAliveAsync(long lease, CancellationToken cancellationToken)
    {
        using var call = _leases.LeaseKeepAlive(Options(cancellationToken));
        await call.RequestStream.WriteAsync(new LeaseKeepAliveRequest { ID = lease }, cancellationToken).ConfigureAwait(false);
        await call.RequestStream.CompleteAsync().ConfigureAwait(false);
        return await call.ResponseStream.MoveNext(cancellationToken).ConfigureAwait(false) && call.ResponseStream.Current.TTL > 0;
    }

    private static ByteString Bytes(string text) => ByteString.CopyFromUtf8(text);

    /// <summary>The end of the key range that holds every key starting with <paramref name="prefix"/>.</summary>
    private static ByteString RangeEnd(string prefix)
    {
        var bytes = System.Text.Encoding.UTF8.GetBytes(prefix);
        bytes[^1]++;
        return ByteString.CopyFrom(bytes);
    }

    private sealed record Stored(Registration Registration, bool Expired, long Lease)
    {
        public RegistryEntry Entry => new(Registration, Expired);
    }
}
