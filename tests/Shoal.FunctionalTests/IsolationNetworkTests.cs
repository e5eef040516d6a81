using System.Net;
using System.Text.RegularExpressions;
using Shoal.Testing;

namespace Shoal.FunctionalTests;

/// <summary>
/// <c>network: isolated</c> through the real <c>./shoal</c>: services (bubblewrap and runc) and a function each in a
/// network namespace of their own on the stack's bridge, answering through the gateway at their own address, and
/// unable to reach what listens on the host's loopback (the admin port).
/// </summary>
public sealed partial class IsolationNetworkTests(IsolationNetworkStack fixture) : IClassFixture<IsolationNetworkStack>
{
    private static readonly TimeSpan s_wait = TimeSpan.FromSeconds(45);

    private TestStack Stack => fixture.Stack;

    [Fact]
    public async Task Sandbox_service_answers_through_the_gateway_at_its_own_address()
    {
        using var response = await Stack.Client.GetAsync("/api/whoami");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("web-1", response.Headers.GetValues("x-shoal-instance").Single());
        var catalog = (await Stack.AdminJsonAsync("/v1/services/web")).GetRawText();
        Assert.Matches(BridgeAddress(), catalog);
        Assert.DoesNotContain("\"127.0.0.1\"", catalog, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Oci_service_answers_through_the_gateway_at_its_own_address()
    {
        using var response = await Stack.Client.GetAsync("/oci/index.html");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("from runc", await response.Content.ReadAsStringAsync());
        Assert.Matches(BridgeAddress(), (await Stack.AdminJsonAsync("/v1/services/box")).GetRawText());
    }

    [Fact]
    public async Task Isolated_service_cannot_reach_the_admin_port_on_loopback()
    {
        var log = Path.Combine(Stack.Directory, ".shoal", "logs", "probe-1.log");
        await Poll.UntilAsync(() => File.Exists(log) && File.ReadAllText(log).Contains("loopback-", StringComparison.Ordinal), s_wait, "the probe to try the admin port");

        var output = await File.ReadAllTextAsync(log);
        Assert.DoesNotContain("loopback-reached", output, StringComparison.Ordinal);
        Assert.EndsWith("loopback-refused", output.Trim(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Isolated_function_is_invoked_through_the_gateway_and_cannot_reach_loopback()
    {
        using var response = await Stack.Client.GetAsync("/fn");
        var body = await response.Content.ReadAsStringAsync();

        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        Assert.Contains("loopback=refused", body, StringComparison.Ordinal);

        // Its Runtime API is the host's end of the bridge, the one host address it can reach.
        Assert.Matches(@"runtime_api=10\.213\.\d+\.1:\d+", body);
    }

    [GeneratedRegex("\"address\":\\s*\"10\\.213\\.\\d+\\.(?!1\")\\d+\"")]
    private static partial Regex BridgeAddress();
}
