namespace Shoal.Configuration;

/// <summary>
/// The names of the variables that tell a replica where a service it depends on answers (service discovery):
/// <c>services__api__http__0</c> as .NET Aspire writes them (Microsoft.Extensions.ServiceDiscovery reads them as the
/// endpoints of <c>http://api</c>), Aspire's plain <c>API_HTTP</c>, and <c>API_URL</c>.
/// </summary>
public static class DiscoveryVariables
{
    /// <summary>Aspire's service-discovery name: <c>services__order-api__http__0</c> for <c>order-api</c> (the name as written).</summary>
    public static string Aspire(string service) => $"services__{service}__http__0";

    /// <summary>Aspire's plain name: <c>ORDER_API_HTTP</c> for <c>order-api</c>.</summary>
    public static string AspireHttp(string service) => Upper(service) + "_HTTP";

    /// <summary>The usual name: <c>ORDER_API_URL</c> for <c>order-api</c>.</summary>
    public static string Url(string service) => Upper(service) + "_URL";

    /// <summary>Every name a dependant of <paramref name="service"/> gets.</summary>
    public static IEnumerable<string> For(string service) => [Aspire(service), AspireHttp(service), Url(service)];

    private static string Upper(string service) => service.ToUpperInvariant().Replace('-', '_');
}
