using System.Net;
using Shoal.Gateway.Configuration;
using Shoal.Gateway.LoadBalancing;
using Yarp.ReverseProxy.Forwarder;

namespace Shoal.Gateway.Model;

/// <summary>The gateway's live view of one service: its instances and the policy that picks among them.</summary>
public sealed class ClusterState
{
    private DestinationState[] _available = [];
    private DestinationState[] _all = [];
    private ILoadBalancingPolicy _policy;

    internal ClusterState(string service, ServiceRoutingOptions options, ILoadBalancingPolicy policy)
    {
        Service = service;
        Options = options;
        _policy = policy;
        RequestConfig = new ForwarderRequestConfig
        {
            ActivityTimeout = options.Timeout,
            Version = HttpVersion.Version11,
            VersionPolicy = HttpVersionPolicy.RequestVersionOrLower,
        };
    }

    /// <summary>The service name.</summary>
    public string Service { get; }

    /// <summary>Every known instance of the service, routable or not.</summary>
    public IReadOnlyList<DestinationState> AllDestinations => Volatile.Read(ref _all);

    internal ServiceRoutingOptions Options { get; }

    /// <summary>The forwarder settings, built once so the request path allocates none.</summary>
    internal ForwarderRequestConfig RequestConfig { get; }

    internal ILoadBalancingPolicy Policy
    {
        get => Volatile.Read(ref _policy);
        set => Volatile.Write(ref _policy, value);
    }

    /// <summary>The instances that take new requests now (an immutable snapshot).</summary>
    internal DestinationState[] Available => Volatile.Read(ref _available);

    internal void Update(DestinationState[] all, DestinationState[] available)
    {
        Volatile.Write(ref _all, all);
        Volatile.Write(ref _available, available);
    }
}
