using Docker.DotNet.Models;

namespace Shoal.Processes.Docker.Tests;

public sealed class ContainerDefinitionTests
{
    private static readonly Dictionary<string, string> s_daemon = new()
    {
        ["PATH"] = "/usr/bin:/bin",
        ["HOME"] = "/root",
        ["SHOAL_ADMIN_TOKEN"] = "admin-secret",
        ["SHOAL_OPERATOR_TOKEN"] = "operator-secret",
        ["AWS_SECRET_ACCESS_KEY"] = "cloud-secret",
        ["DOCKER_HOST"] = "unix:///elsewhere.sock",
        ["WANTED"] = "yes",
    };

    private static ProcessSpec Spec(Func<ProcessSpec, ProcessSpec>? change = null)
    {
        var spec = new ProcessSpec
        {
            Name = "api-1",
            InstanceId = "api/1 x",
            FileName = "/bin/server",
            Arguments = ["--port", "8080"],
            WorkingDirectory = "/srv/app",
            LogFile = "/tmp/api-1.log",
            Environment = new Dictionary<string, string> { ["PORT"] = "8080" },
            Inherit = ["WANTED", "SHOAL_ADMIN_TOKEN"],
            Isolation = new IsolationOptions { Image = "example/api:1" },
        };
        return change is null ? spec : change(spec);
    }

    private static CreateContainerParameters Create(ProcessSpec spec, ProcessScope? scope = null) =>
        ContainerDefinition.Create(spec, scope, name => s_daemon.GetValueOrDefault(name), [], "0:0");

    [Fact]
    public void Create_Environment_IsTheChildEnvironmentWithoutTheDaemonsSecrets()
    {
        var env = Create(Spec()).Env;

        Assert.Contains("PATH=/usr/bin:/bin", env);
        Assert.Contains("PORT=8080", env);
        Assert.Contains("WANTED=yes", env);
        Assert.DoesNotContain(env, e => e.Contains("secret", StringComparison.Ordinal));
        Assert.DoesNotContain(env, e => e.StartsWith("DOCKER_HOST=", StringComparison.Ordinal));
    }

    [Fact]
    public void Create_WithScope_MarksTheContainerByLabelAndEnvironment()
    {
        var scope = ProcessScope.ForStateDirectory("/tmp/some-stack");

        var parameters = Create(Spec(), scope);

        Assert.Equal(scope.Key, parameters.Labels[ContainerDefinition.ScopeLabel]);
        Assert.Equal("api-1", parameters.Labels[ContainerDefinition.NameLabel]);
        Assert.Equal($"shoal-{scope.Key}-api_1_x", parameters.Name);
        Assert.Contains($"{ProcessScope.Variable}={scope.Key}/shoal-{scope.Key}-api_1_x", parameters.Env);
    }

    [Fact]
    public void Create_Command_IsTheProgramAndItsArgumentsNotTheImagesEntrypoint()
    {
        var parameters = Create(Spec());

        Assert.Equal(["/bin/server"], parameters.Entrypoint);
        Assert.Equal(["--port", "8080"], parameters.Cmd);
        Assert.Equal("example/api:1", parameters.Image);
        Assert.Equal("/srv/app", parameters.WorkingDir);
    }

    [Fact]
    public void Create_Limits_MemoryWithoutSwapCpusAndPids()
    {
        var host = Create(Spec(s => s with { Limits = new ResourceLimits(64L << 20, 0.25, 32) })).HostConfig!;

        Assert.Equal(64L << 20, host.Memory);
        Assert.Equal(64L << 20, host.MemorySwap);
        Assert.Equal(250_000_000, host.NanoCPUs);
        Assert.Equal(32, host.PidsLimit);
    }

    [Fact]
    public void Create_NoLimits_LeavesTheEnginesDefaults()
    {
        var host = Create(Spec()).HostConfig!;

        Assert.Equal(0, host.Memory);
        Assert.Equal(0, host.NanoCPUs);
        Assert.Null(host.PidsLimit);
    }

    [Theory]
    [InlineData(false, "/srv/app:/srv/app:rw")]
    [InlineData(true, "/srv/app:/srv/app:ro")]
    public void Create_WorkingDirectory_IsBoundAtTheSamePath(bool readOnly, string bind)
    {
        var host = Create(Spec(s => s with { Isolation = s.Isolation with { ReadOnlyWorkingDirectory = readOnly } })).HostConfig!;

        Assert.Equal([bind], host.Binds);
        Assert.Equal("host", host.NetworkMode);
        Assert.False(host.Privileged);
    }

    [Fact]
    public void Create_User_IsUidAndGid_ElseTheDaemons()
    {
        Assert.Equal("1001:1002", Create(Spec(s => s with { User = new ProcessUser("shoal-fn", 1001, 1002) })).User);
        Assert.Equal("0:0", Create(Spec()).User);
    }

    [Fact]
    public void Create_IsolatedNetwork_IsRefusedWithTheReason()
    {
        var ex = Assert.Throws<ProcessStartException>(() => Create(Spec(s => s with { Isolation = s.Isolation with { Network = NetworkMode.Isolated } })));

        Assert.Equal(
            "api-1: runtime 'docker' runs only with network: host (the engine's bridge network cannot answer the gateway on 127.0.0.1); use runtime: sandbox or oci for network: isolated.",
            ex.Message);
    }

    [Fact]
    public void Create_NoImage_IsRefused()
    {
        var ex = Assert.Throws<ProcessStartException>(() => Create(Spec(s => s with { Isolation = new IsolationOptions() })));

        Assert.Equal("api-1: runtime 'docker' needs an image (image: <name>).", ex.Message);
    }
}
