using Shoal.Gateway.Model;

namespace Shoal.Gateway.LoadBalancing;

/// <summary>What ties a request to earlier ones, as its load-balancing policy sees it; <c>default</c> when nothing does.</summary>
/// <param name="Key">
/// The hash of the key the policy keeps requests together by (a session header, a hash key, the client address), or null.
/// A traffic split then chooses the version as a function of the key, so a key stays on its version.
/// </param>
/// <param name="Pinned">The instance the request is pinned to (a session cookie), or null; a split keeps the request on its version.</param>
public readonly record struct RequestAffinity(ulong? Key, DestinationState? Pinned)
{
    /// <summary>Requests keyed by <paramref name="key"/>, or nothing when there is no key.</summary>
    public static RequestAffinity ByKey(ulong? key) => new(key, null);
}
