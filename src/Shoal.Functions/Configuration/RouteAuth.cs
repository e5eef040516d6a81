namespace Shoal.Functions.Configuration;

/// <summary>How a route authenticates its callers.</summary>
public enum RouteAuth
{
    /// <summary>Anyone may call.</summary>
    None,

    /// <summary>An <c>x-api-key</c> header with one of the configured keys.</summary>
    ApiKey,

    /// <summary>A JWT bearer token the configured keys verify.</summary>
    Jwt,
}
