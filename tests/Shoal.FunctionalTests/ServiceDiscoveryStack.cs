using Shoal.Testing;

namespace Shoal.FunctionalTests;

/// <summary>
/// One stack for <see cref="ServiceDiscoveryTests"/>: <c>api</c> (the sample app, routed at <c>/api/**</c>) and
/// <c>web</c>, a shell that depends on it, writes its environment down and calls <c>${API_URL}</c> once with curl.
/// </summary>
public sealed class ServiceDiscoveryStack : IAsyncLifetime
{
    public TestStack Stack { get; private set; } = null!;

    public async Task InitializeAsync() => Stack = await TestStack.StartAsync("""
        name: disco
        gateway: { listen: %gateway%, admin: %admin% }
        services:
          api:
            command: [dotnet, "%sample%"]
            port: auto
            health: { http: /api/health, interval: 500ms }
            routes: ["/api/**"]
          web:
            command: [bash, -c, "env > $SHOAL_DATA_DIR/env; curl -sS -D $SHOAL_DATA_DIR/reply -o /dev/null ${API_URL}/api/whoami; exec sleep 1000"]
            depends_on:
              api: { condition: healthy }
        """);

    public async Task DisposeAsync() => await Stack.DisposeAsync();
}
