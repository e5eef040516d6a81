using Etcdserverpb;
using Google.Protobuf;
using Grpc.Core;

namespace Shoal.Registry.Stores;

/// <summary>
/// TTL leases granted ahead: granting one is a raft round of its own, so a write with a TTL takes the lease granted
/// after the previous write of the same TTL and, once written, renews it, which puts its full TTL back. The renewal
/// goes to the leader only (no raft round), and it and the next grant run after the write, off its path: the write
/// costs one round trip instead of two.
/// </summary>
public sealed partial class EtcdRegistryStore
{
    /// <summary>At most this many TTLs (in whole seconds) keep a lease granted ahead; writes with others grant their own.</summary>
    private const int SpareTtls = 16;

    private readonly Lock _sparesLock = new();
    private readonly Dictionary<long, Spare> _spares = [];
    private readonly HashSet<long> _refilling = [];
    private readonly CancellationTokenSource _closing = new();

    /// <summary>The leases one write attaches (0 for none): the alive key's (the TTL) and the instance key's (TTL plus deregister-after).</summary>
    private readonly record struct Leases(long Alive, long Instance, bool Ahead);

    /// <summary>A lease granted ahead, with the timestamp taken before it was asked for.</summary>
    private sealed record Spare(long Id, long GrantedAt);

    /// <summary>The leases <paramref name="registration"/> needs, granted now when <paramref name="grant"/> says so, else ahead where one is.</summary>
    private async Task<Leases> LeasesAsync(Registration registration, bool grant, CancellationToken cancellationToken)
    {
        if (registration.Ttl is not { } ttl)
        {
            return default;
        }

        var alive = LeaseAsync(Seconds(ttl), grant, cancellationToken);
        var instance = registration.DeregisterAfter is { } after ? LeaseAsync(Seconds(ttl + after), grant, cancellationToken) : Task.FromResult((Id: 0L, Ahead: false));
        var (a, i) = (await alive.ConfigureAwait(false), await instance.ConfigureAwait(false));
        return new Leases(a.Id, i.Id, a.Ahead || i.Ahead);
    }

    /// <summary>A lease of <paramref name="seconds"/>: the one granted ahead while it has at least half its TTL left (the write renews it), else a new grant.</summary>
    private async Task<(long Id, bool Ahead)> LeaseAsync(long seconds, bool grant, CancellationToken cancellationToken)
    {
        Spare? spare = null;
        if (!grant)
        {
            lock (_sparesLock)
            {
                _spares.Remove(seconds, out spare);
            }
        }

        if (spare is not null && _time.GetElapsedTime(spare.GrantedAt) < TimeSpan.FromSeconds(seconds) / 2)
        {
            return (spare.Id, true);
        }

        return (await GrantAsync(seconds, cancellationToken).ConfigureAwait(false), false);
    }

    private void Refill(long seconds)
    {
        lock (_sparesLock)
        {
            if (_closing.IsCancellationRequested || _spares.ContainsKey(seconds) || _spares.Count >= SpareTtls || !_refilling.Add(seconds))
            {
                return;
            }
        }

        _ = Task.Run(async () =>
        {
            try
            {
                var asked = _time.GetTimestamp();
                var id = await GrantAsync(seconds, _closing.Token).ConfigureAwait(false);
                lock (_sparesLock)
                {
                    _spares[seconds] = new Spare(id, asked);
                }
            }
            catch (Exception ex) when (ex is RpcException or OperationCanceledException or ObjectDisposedException)
            {
                // The next write with this TTL grants its own lease.
            }
            finally
            {
                lock (_sparesLock)
                {
                    _refilling.Remove(seconds);
                }
            }
        });
    }

    /// <summary>
    /// Commits <paramref name="txn"/>, then renews the leases granted ahead that it attaches and grants the next ones,
    /// neither waited for: a lease taken has at least half its TTL left, and a client heartbeats at a third of it. When
    /// one of them expired after all (etcd answers NotFound), grants new ones and commits again.
    /// </summary>
    private async Task<TxnResponse> TxnAsync(TxnRequest txn, Registration registration, Leases leases, CancellationToken cancellationToken)
    {
        try
        {
            return await _kv.TxnAsync(txn, Options(cancellationToken)).ConfigureAwait(false);
        }
        catch (RpcException ex) when (leases.Ahead && ex.StatusCode == StatusCode.NotFound)
        {
            var fresh = await LeasesAsync(registration, grant: true, cancellationToken).ConfigureAwait(false);
            foreach (var put in txn.Success.Select(op => op.RequestPut).OfType<PutRequest>().Where(put => put.Lease != 0))
            {
                put.Lease = put.Lease == leases.Alive ? fresh.Alive : fresh.Instance;
            }

            return await _kv.TxnAsync(txn, Options(cancellationToken)).ConfigureAwait(false);
        }
        finally
        {
            if (leases.Ahead)
            {
                foreach (var lease in new[] { leases.Alive, leases.Instance }.Where(l => l != 0))
                {
                    _ = RenewAsync(lease);
                }
            }

            if (registration.Ttl is { } ttl)
            {
                Refill(Seconds(ttl));
                if (registration.DeregisterAfter is { } after)
                {
                    Refill(Seconds(ttl + after));
                }
            }
        }
    }

    private async Task RenewAsync(long lease)
    {
        try
        {
            await KeepAliveAsync(lease, _closing.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is RpcException or OperationCanceledException or ObjectDisposedException)
        {
            // The write says whether the lease was there; the instance's next heartbeat renews it.
        }
    }

    /// <summary>The write of a registration: its instance key, and its alive key when it has a TTL (else the old alive key goes when <paramref name="dropAlive"/>).</summary>
    private TxnRequest Write(Registration registration, Leases leases, bool dropAlive)
    {
        var instance = registration.Instance;
        var txn = new TxnRequest();
        txn.Success.Add(new RequestOp { RequestPut = new PutRequest { Key = Bytes(InstanceKey(instance.Service, instance.Id)), Value = ByteString.CopyFromUtf8(RegistrationCodec.Encode(registration)), Lease = leases.Instance } });
        if (registration.Ttl is not null)
        {
            txn.Success.Add(new RequestOp { RequestPut = new PutRequest { Key = Bytes(AliveKey(instance.Service, instance.Id)), Value = ByteString.Empty, Lease = leases.Alive } });
        }
        else if (dropAlive)
        {
            txn.Success.Add(new RequestOp { RequestDeleteRange = new DeleteRangeRequest { Key = Bytes(AliveKey(instance.Service, instance.Id)) } });
        }

        return txn;
    }

    private static long Seconds(TimeSpan ttl) => (long)Math.Max(1, Math.Ceiling(ttl.TotalSeconds));
}
