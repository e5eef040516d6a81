using System.Net;
using Shoal.Testing;

namespace Shoal.FunctionalTests;

/// <summary>
/// <c>runtime: docker</c> through the real <c>./shoal up</c> against a private engine (<see cref="DockerEngine"/>, found
/// through <c>DOCKER_HOST</c>): a busybox httpd from the engine's image, whose program exists only in that image,
/// answering through the gateway.
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

    private static string? HostProcessPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Select(d => Path.Combine(d, name)).FirstOrDefault(File.Exists);

    /// <summary>One engine and one stack for the class: dockerd takes seconds to start.</summary>
    public sealed class Fixture : IAsyncLifetime
    {
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
            var up = await Stack.ShoalAsync(new Dictionary<string, string> { ["DOCKER_HOST"] = _engine.Endpoint.ToString() }, "up", "-d");
            if (up.ExitCode != 0)
            {
                var log = Path.Combine(Stack.Directory, ".shoal", "shoal.log");
                throw new InvalidOperationException($"shoal up -d failed: {up}\n{(File.Exists(log) ? await File.ReadAllTextAsync(log) : "")}");
            }
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
