using System.Net;
using Shoal.Testing;

namespace Shoal.FunctionalTests;

/// <summary>
/// <c>runtime: docker</c> through the real <c>./shoal up</c> against a private engine (<see cref="DockerEngine"/>, found
/// through <c>DOCKER_HOST</c>): a busybox httpd from the engine's image, whose program exists only in that image,
/// answering through the gateway, and a function whose Lambda runtime is busybox's sh and wget.
/// </summary>
public sealed class DockerStackTests(DockerStackTests.Fixture fixture) : IClassFixture<DockerStackTests.Fixture>
{
    [Fact]
    public async Task Docker_service_whose_program_is_only_in_its_image_answers_through_the_gateway()
    {
        Assert.Null(HostProcessPath("httpd"));

        using var response = await fixture.Stack.Client.GetAsync("/dock/index.html");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("from docker", await response.Content.ReadAsStringAsync());
        var ps = await fixture.Stack.ShoalAsync("ps", "--json");
        using var json = System.Text.Json.JsonDocument.Parse(ps.Stdout);
        var replica = json.RootElement.GetProperty("services").EnumerateArray().SelectMany(s => s.GetProperty("replicas").EnumerateArray()).Single();
        Assert.Equal("docker", replica.GetProperty("runtime").GetString());
    }

    [Fact]
    public async Task Docker_function_is_invoked_through_the_gateway()
    {
        using var response = await fixture.Stack.Client.GetAsync("/fn");
        var body = await response.Content.ReadAsStringAsync();

        Assert.True(response.StatusCode == HttpStatusCode.OK, body + "\n" + await File.ReadAllTextAsync(Path.Combine(fixture.Stack.Directory, ".shoal", "shoal.log")));
        Assert.StartsWith("from docker", body, StringComparison.Ordinal);
    }

    private static string? HostProcessPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Select(d => Path.Combine(d, name)).FirstOrDefault(File.Exists);

    /// <summary>One engine and one stack for the class: dockerd takes seconds to start.</summary>
    public sealed class Fixture : IAsyncLifetime
    {
        // A Lambda runtime in busybox's sh and wget: the image has neither bash nor curl.
        private const string Bootstrap = """
            api="http://$AWS_LAMBDA_RUNTIME_API/2018-06-01/runtime"
            while true; do
              id=$(wget -S -q -O /dev/null "$api/invocation/next" 2>&1 | tr -d '\r' | sed -n 's/^ *[Ll]ambda-[Rr]untime-[Aa]ws-[Rr]equest-[Ii]d: *//p')
              wget -q -O /dev/null --header 'Content-Type: application/json' --post-data '{"statusCode":200,"body":"from docker"}' "$api/invocation/$id/response"
            done
            """;

        private readonly string _app = Directory.CreateTempSubdirectory("shoal-dock-").FullName;
        private DockerEngine? _engine;

        public TestStack Stack { get; private set; } = null!;

        public async Task InitializeAsync()
        {
            Directory.CreateDirectory(Path.Combine(_app, "www", "dock"));
            await File.WriteAllTextAsync(Path.Combine(_app, "www", "dock", "index.html"), "from docker");
            _engine = await DockerEngine.StartAsync();
            Stack = TestStack.Create($$"""
                name: dock
                gateway:
                  listen: %gateway%
                  admin: %admin%
                functions:
                  janitor_interval: 200ms
                services:
                  web:
                    runtime: docker
                    image: {{DockerEngine.BusyboxImage}}
                    command: [httpd, -f, -p, "127.0.0.1:${PORT}", -h, www]
                    working_dir: "{{_app}}"
                    port: auto
                    health: { tcp: true, interval: 500ms }
                    routes: ["/dock/**"]
                """);
            var code = Directory.CreateDirectory(Path.Combine(_app, "fn")).FullName;
            await File.WriteAllTextAsync(Path.Combine(code, "bootstrap"), Bootstrap);
            await File.WriteAllTextAsync(Path.Combine(Stack.Directory, "functions.yml"), $$"""
                functions:
                  fn:
                    runtime: docker
                    image: {{DockerEngine.BusyboxImage}}
                    command: [sh, bootstrap]
                    handler: none
                    code: {{code}}
                """);
            await File.WriteAllTextAsync(Path.Combine(Stack.Directory, "routing.yml"), "routes:\n  - { path: /fn, function: fn }\n");
            await IsolationNetworkStack.UpAsync(Stack, new Dictionary<string, string> { ["DOCKER_HOST"] = _engine.Endpoint.ToString() });
        }

        public async Task DisposeAsync()
        {
            if (Stack is not null)
            {
                await Stack.DisposeAsync();
            }

            if (_engine is not null)
            {
                await _engine.DisposeAsync();
            }

            Directory.Delete(_app, recursive: true);
        }
    }
}
