using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Shoal.Testing;

namespace Shoal.FunctionalTests;

/// <summary>
/// The admin API and the children through the eyes of a hostile local user (uid 65534 via setpriv) and of a child
/// process: nothing without the token, the socket and the token file are the owner's, children never see the token or
/// the daemon's environment, the Invoke API verifies signatures, deployments run only what the stack file names.
/// </summary>
[Collection(TimedCollection.Name)]
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class AdminTrustTests
{
    private const string InvokeKeyId = "AKIDSHOALTRUST";
    private const string InvokeSecret = "the-invoke-secret-access-key";
    private const string OperatorToken = "an-operator-token-for-the-trust-tests";
    private static readonly TimeSpan s_wait = TimeSpan.FromSeconds(30);

    /// <summary>Every route that changes something, with a body it would accept.</summary>
    private static readonly (string Method, string Path, string? Body)[] s_mutations =
    [
        ("PUT", "/v1/stack/services/dump/replicas", """{"replicas":3}"""),
        ("POST", "/v1/stack/shutdown", null),
        ("PUT", "/v1/services/dump/strategy", """{"strategy":"random"}"""),
        ("PUT", "/v1/services/ext/instances/ext-1", """{"address":"127.0.0.1","port":5000}"""),
        ("PUT", "/v1/services/ext/instances/ext-1/heartbeat", null),
        ("DELETE", "/v1/services/ext/instances/ext-1", null),
        ("POST", "/v1/services/dump/deployments", """{"version":"2","command":["bash","-c","id > /tmp/owned; sleep 100"]}"""),
        ("POST", "/v1/services/dump/deployments/promote", null),
        ("POST", "/v1/services/dump/deployments/rollback", null),
        ("POST", "/v1/services/dump/deployments/abort", null),
        ("POST", "/v1/services/dump/deployments/pause", null),
        ("POST", "/v1/services/dump/deployments/resume", null),
        ("POST", "/v1/services/dump/deployments/switch", null),
        ("POST", "/2015-03-31/functions/echo/invocations", "{}"),
    ];

    /// <summary>Every route that reads configuration, state or secrets.</summary>
    private static readonly string[] s_reads =
    [
        "/v1/stack", "/v1/services", "/v1/services/dump", "/v1/services/dump/watch?index=0&wait=1s", "/v1/services/dump/deployments",
        "/metrics", "/v1/logs?service=dump&instance=dump-1&tail=5",
        "/v1/services/dump/strategy", "/v1/gateway", "/v1/registry", "/v1/functions", "/v1/functions/echo",
    ];

    private static string Template(string extra = "") => $$"""
        name: trust
        gateway:
          listen: %gateway%
          admin: %admin%
          operator_token: {{OperatorToken}}
        functions:
          invoke_credentials: { access_key_id: {{InvokeKeyId}}, secret_access_key: {{InvokeSecret}} }
        services:
          dump:
            command: [bash, -c, "env > $SHOAL_DATA_DIR/env-$SHOAL_INSTANCE_ID; exec sleep 1000"]
            env: { GREETING: hello }
            inherit_env: [TRUST_INHERITED]
          ext:
            external: true
        {{extra}}
        """;

    private static async Task<TestStack> StartAsync(IDictionary<string, string>? environment = null)
    {
        var stack = TestStack.Create(Template());
        var code = Path.Combine(stack.Directory, "fn");
        Directory.CreateDirectory(code);
        File.Copy(Path.Combine(RepoPaths.Root, "samples", "functions", "bash", "bootstrap"), Path.Combine(code, "bootstrap"));
        await File.WriteAllTextAsync(Path.Combine(code, "function.sh"), $$"""
            function handler () {
              env > "{{Path.Combine(stack.Directory, "function-env")}}"
              echo '{"ok":true}'
            }
            """);
        await File.WriteAllTextAsync(Path.Combine(stack.Directory, "functions.yml"), $$"""
            functions:
              echo:
                command: [bash, bootstrap]
                handler: function.handler
                code: {{code}}
                inherit_env: [TRUST_INHERITED]
                # It writes its environment into the test's directory, which only root may write.
                user: root
            """);
        await File.WriteAllTextAsync(Path.Combine(stack.Directory, "routing.yml"), "routes: []\n");
        var up = await stack.ShoalAsync(environment ?? new Dictionary<string, string>(), "up", "-d");
        if (up.ExitCode != 0)
        {
            var log = Path.Combine(stack.Directory, ".shoal", "shoal.log");
            var text = File.Exists(log) ? await File.ReadAllTextAsync(log) : "";
            await stack.DisposeAsync();
            throw new InvalidOperationException($"shoal up -d failed: {up}\n{text}");
        }

        // The test's temp directory is the test user's alone; open the way to .shoal/ so that only the files' own
        // modes and the socket's peer check stand between the unprivileged user and them.
        File.SetUnixFileMode(stack.Directory, (UnixFileMode)0b111_101_101);
        File.SetUnixFileMode(Path.Combine(stack.Directory, ".shoal"), (UnixFileMode)0b111_101_101);
        return stack;
    }

    /// <summary>Runs a program as uid/gid 65534 (nobody) with no supplementary groups.</summary>
    private static Task<ProcessRunner.Result> AsNobodyAsync(string program, params string[] arguments) =>
        ProcessRunner.RunAsync("setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", program, .. arguments], timeout: TimeSpan.FromSeconds(30));

    /// <summary>The status curl got as nobody, e.g. "401"; "000" when it could not connect.</summary>
    private static async Task<string> CurlAsNobodyAsync(string method, string url, params string[] more)
    {
        var result = await AsNobodyAsync("curl", ["-s", "-o", "/dev/null", "-w", "%{http_code}", "-X", method, "--max-time", "10", .. more, url]);
        return result.Stdout.Trim();
    }

    [Fact]
    public async Task Ps_TokenRefused_SaysSoInsteadOfNoAnswer()
    {
        // A CLI whose token the daemon refuses (a stale token file, another daemon's token) over TCP: the socket is out of
        // reach and the token file holds another token. The error names the refusal, not a silent daemon.
        await using var stack = await StartAsync();
        var token = Path.Combine(stack.Directory, ".shoal", "admin.token");
        var saved = await File.ReadAllTextAsync(token);
        File.Move(stack.AdminSocket, stack.AdminSocket + ".away");
        await File.WriteAllTextAsync(token, "not-the-daemons-token");
        try
        {
            var ps = await stack.ShoalAsync("ps");
            Assert.NotEqual(0, ps.ExitCode);
            Assert.Contains("401", ps.Output, StringComparison.Ordinal);
            Assert.Contains("refused", ps.Output, StringComparison.Ordinal);
            Assert.DoesNotContain("does not answer", ps.Output, StringComparison.Ordinal);
        }
        finally
        {
            await File.WriteAllTextAsync(token, saved);
            File.Move(stack.AdminSocket + ".away", stack.AdminSocket);
        }
    }

    [Fact]
    public async Task UnprivilegedUser_CannotReadOrChangeAnything_OverTcpTheSocketOrTheTokenFile()
    {
        await using var stack = await StartAsync();
        var admin = stack.Admin.ToString().TrimEnd('/');
        var token = Path.Combine(stack.Directory, ".shoal", "admin.token");

        Assert.Equal("200", await CurlAsNobodyAsync("GET", admin + "/healthz"));
        foreach (var read in s_reads)
        {
            Assert.True(await CurlAsNobodyAsync("GET", admin + read) == "401", $"GET {read} without the token");
        }

        foreach (var (method, path, body) in s_mutations)
        {
            Assert.True(await CurlAsNobodyAsync(method, admin + path, "-H", "content-type: application/json", "-d", body ?? "") == "401", $"{method} {path} without the token");
        }

        // The token file and the socket are the owner's: 0600, so nobody can neither read the one nor connect to the other.
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(token));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(stack.AdminSocket));
        var cat = await AsNobodyAsync("cat", token);
        Assert.NotEqual(0, cat.ExitCode);
        Assert.Contains("Permission denied", cat.Stderr, StringComparison.Ordinal);
        var socket = await AsNobodyAsync("curl", "-sS", "--max-time", "10", "--unix-socket", stack.AdminSocket, "http://admin/v1/stack");
        Assert.Equal(7, socket.ExitCode);
        Assert.DoesNotContain("services", socket.Stdout, StringComparison.Ordinal);

        // Even with the file mode opened up, the daemon serves only its own user on the socket (SO_PEERCRED).
        // The daemon keeps .shoal/ at 0700 (it tightens it whenever it writes there): a hard link beside it is the way in.
        File.SetUnixFileMode(stack.AdminSocket, (UnixFileMode)0b110_110_110);
        var opened = Path.Combine(stack.Directory, "opened.sock");
        var link = await ProcessRunner.RunAsync("ln", [stack.AdminSocket, opened]);
        Assert.True(link.ExitCode == 0, link.ToString());
        // The daemon closes a foreign peer's connection as it accepts it, before reading a byte: depending on whether curl
        // had sent its request by then, curl sees an empty reply (52), a reset (56) or a failed connect (7); never an answer.
        var peer = await AsNobodyAsync("curl", "-sS", "--max-time", "10", "--unix-socket", opened, "http://admin/v1/stack");
        Assert.True(peer.ExitCode is 52 or 56 or 7, peer.ToString());
        Assert.Empty(peer.Stdout);

        // The owner gets through the socket without a token, and nothing above changed the stack.
        var owner = await ProcessRunner.RunAsync("curl", ["-sS", "--max-time", "10", "--unix-socket", stack.AdminSocket, "http://admin/v1/stack"]);
        Assert.Equal(0, owner.ExitCode);
        using var snapshot = JsonDocument.Parse(owner.Stdout);
        var dump = snapshot.RootElement.GetProperty("services").EnumerateArray().Single(s => s.GetProperty("name").GetString() == "dump");
        Assert.Equal(1, dump.GetProperty("replicas").GetArrayLength());
        Assert.False(File.Exists("/tmp/owned"));
    }

    [Fact]
    public async Task EveryMutatingRoute_RefusesAWrongToken_AndTheRightOneGetsThrough()
    {
        await using var stack = await StartAsync();
        using var http = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { BaseAddress = stack.Admin, Timeout = TimeSpan.FromSeconds(30) };
        foreach (var (method, path, body) in s_mutations)
        {
            foreach (var credential in new string?[] { null, "Bearer not-the-admin-token", stack.Token, "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("a:" + stack.Token)) })
            {
                using var request = new HttpRequestMessage(new HttpMethod(method), path) { Content = new StringContent(body ?? "", Encoding.UTF8, "application/json") };
                if (credential is not null)
                {
                    request.Headers.TryAddWithoutValidation("Authorization", credential);
                }

                using var response = await http.SendAsync(request);
                Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, $"{method} {path} with '{credential}': {(int)response.StatusCode}");
                Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
                Assert.Equal("Bearer", response.Headers.WwwAuthenticate.Single().Scheme);
            }
        }

        // The admin token is a credential for every read.
        foreach (var read in s_reads)
        {
            using var response = await stack.AdminClient.GetAsync(read);
            Assert.True(response.IsSuccessStatusCode, $"GET {read} with the token: {(int)response.StatusCode}");
        }
    }

    [Fact]
    public async Task Children_SeeNeitherTheAdminTokenNorTheDaemonsEnvironment_ButWhatTheyInherit()
    {
        const string configuredToken = "a-token-set-in-the-daemons-environment";
        await using var stack = await StartAsync(new Dictionary<string, string>
        {
            ["SHOAL_ADMIN_TOKEN"] = configuredToken,
            ["TRUST_DAEMON_ONLY"] = "only-the-daemon-has-this",
            ["AWS_SECRET_ACCESS_KEY"] = "the-daemons-cloud-secret",
            ["TRUST_INHERITED"] = "passed-on-by-request",
        });
        var replicaEnv = Path.Combine(stack.Directory, ".shoal", "data", "dump", "env-dump-1");
        await Poll.UntilAsync(() => File.Exists(replicaEnv) && File.ReadAllText(replicaEnv).Contains("SHOAL_INSTANCE_ID", StringComparison.Ordinal), s_wait, "the replica to dump its environment");

        using var invoke = new HttpRequestMessage(HttpMethod.Post, "/2015-03-31/functions/echo/invocations") { Content = new StringContent("{}") };
        invoke.Headers.Authorization = new AuthenticationHeaderValue("Bearer", configuredToken);
        using (var response = await stack.AdminClient.SendAsync(invoke))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        var functionEnv = Path.Combine(stack.Directory, "function-env");
        foreach (var (who, file) in new[] { ("replica", replicaEnv), ("function", functionEnv) })
        {
            var environment = await File.ReadAllTextAsync(file);
            Assert.DoesNotContain(configuredToken, environment, StringComparison.Ordinal);
            Assert.DoesNotContain("SHOAL_ADMIN_TOKEN", environment, StringComparison.Ordinal);
            Assert.DoesNotContain(OperatorToken, environment, StringComparison.Ordinal);
            Assert.DoesNotContain("only-the-daemon-has-this", environment, StringComparison.Ordinal);
            Assert.DoesNotContain("the-daemons-cloud-secret", environment, StringComparison.Ordinal);
            Assert.True(environment.Contains("TRUST_INHERITED=passed-on-by-request\n", StringComparison.Ordinal), $"the {who} inherits what it asks for:\n{environment}");
            Assert.Contains("PATH=", environment, StringComparison.Ordinal);
        }

        var replica = await File.ReadAllTextAsync(replicaEnv);
        Assert.Contains("GREETING=hello\n", replica, StringComparison.Ordinal);
        Assert.Contains("SHOAL_SERVICE=dump\n", replica, StringComparison.Ordinal);
    }

    [Fact]
    public async Task InvokeApi_NeedsTheTokenOrAVerifiedSignature()
    {
        await using var stack = await StartAsync();
        var admin = stack.Admin.ToString().TrimEnd('/');
        using var anonymous = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { BaseAddress = stack.Admin };

        using (var response = await anonymous.PostAsync("/2015-03-31/functions/echo/invocations", new StringContent("{}")))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        }

        // A SigV4-looking header proves nothing until it is checked.
        using (var forged = new HttpRequestMessage(HttpMethod.Post, "/2015-03-31/functions/echo/invocations") { Content = new StringContent("{}") })
        {
            forged.Headers.TryAddWithoutValidation("Authorization", $"AWS4-HMAC-SHA256 Credential={InvokeKeyId}/20260101/us-east-1/lambda/aws4_request, SignedHeaders=host;x-amz-date, Signature={new string('0', 64)}");
            forged.Headers.TryAddWithoutValidation("X-Amz-Date", "20260101T000000Z");
            using var response = await anonymous.SendAsync(forged);
            Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }

        var wrong = await SdkInvokeAsync(admin, "not-the-invoke-secret-access-key");
        Assert.Equal(403, wrong.GetProperty("status").GetInt32());
        var good = await SdkInvokeAsync(admin, InvokeSecret);
        Assert.Equal(200, good.GetProperty("statusCode").GetInt32());
        Assert.Equal("""{"ok":true}""", good.GetProperty("payload").GetString()!.Trim());

        // A verified signature is a credential for the Invoke API only.
        Assert.Equal("401", await CurlAsNobodyAsync("GET", admin + "/v1/stack", "--aws-sigv4", "aws:amz:us-east-1:lambda", "--user", $"{InvokeKeyId}:{InvokeSecret}"));
    }

    [Fact]
    public async Task Deployment_OfACommandTheFileDoesNotName_NeedsTheOperator()
    {
        await using var stack = await StartAsync();
        using var http = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { BaseAddress = stack.Admin };

        async Task<(HttpStatusCode Status, string Body)> DeployAsync(string token, string json)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/services/dump/deployments") { Content = new StringContent(json, Encoding.UTF8, "application/json") };
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            using var response = await http.SendAsync(request);
            return (response.StatusCode, await response.Content.ReadAsStringAsync());
        }

        var foreign = await DeployAsync(stack.Token!, """{"version":"2","command":["bash","-c","id > /tmp/owned; exec sleep 100"]}""");
        Assert.Equal(HttpStatusCode.Forbidden, foreign.Status);
        Assert.Contains("'command' is not the one the stack file names for service 'dump'", foreign.Body, StringComparison.Ordinal);

        var preload = await DeployAsync(stack.Token!, """{"version":"2","env":{"LD_PRELOAD":"/tmp/evil.so"}}""");
        Assert.Equal(HttpStatusCode.Forbidden, preload.Status);
        Assert.Contains("env: LD_PRELOAD is not set for service 'dump' in the stack file", preload.Body, StringComparison.Ordinal);

        var operatorDeploy = await DeployAsync(OperatorToken, """{"type":"blue-green","version":"2","command":["bash","-c","exec sleep 100"]}""");
        Assert.True(operatorDeploy.Status == HttpStatusCode.Accepted, operatorDeploy.Body);
        var rollback = await stack.ShoalAsync("deploy", "rollback", "dump");
        Assert.True(rollback.ExitCode == 0, rollback.ToString());

        // The file's own command with new values for the variables it sets is the admin token's to deploy.
        var own = await DeployAsync(stack.Token!, """{"version":"3","command":["bash","-c","env > $SHOAL_DATA_DIR/env-$SHOAL_INSTANCE_ID; exec sleep 1000"],"env":{"GREETING":"bonjour"},"type":"blue-green"}""");
        Assert.True(own.Status == HttpStatusCode.Accepted, own.Body);
        Assert.False(File.Exists("/tmp/owned"));
    }

    private static async Task<JsonElement> SdkInvokeAsync(string endpoint, string secret)
    {
        var directory = Path.Combine(RepoPaths.Root, "tests", "aws-sdk");
        Assert.True(Directory.Exists(Path.Combine(directory, "node_modules", "@aws-sdk", "client-lambda")), "tests/aws-sdk needs `npm ci` (test.sh runs it)");
        var environment = new Dictionary<string, string> { ["AWS_ACCESS_KEY_ID"] = InvokeKeyId, ["AWS_SECRET_ACCESS_KEY"] = secret };
        var result = await ProcessRunner.RunAsync("node", ["invoke.mjs", endpoint, "echo", "{}"], directory, TimeSpan.FromSeconds(60), environment);
        Assert.True(result.ExitCode == 0, result.ToString());
        return JsonDocument.Parse(result.Stdout.Trim().Split('\n').Last()).RootElement.Clone();
    }
}
