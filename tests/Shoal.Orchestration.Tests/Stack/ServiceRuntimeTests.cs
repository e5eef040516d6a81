using Shoal.Configuration;
using Shoal.Orchestration.Stack;
using Shoal.Processes;

namespace Shoal.Orchestration.Tests.Stack;

/// <summary>A service's <c>runtime</c>, <c>image</c>, <c>network</c>, <c>user</c> and <c>resources</c> (or <c>deploy.resources.limits</c>).</summary>
public sealed class ServiceRuntimeTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("shoal-rt-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private ServiceRuntimeDefinition Runtime(string serviceLines) =>
        StandardStack.Parse("services:\n  app:\n    command: [x]\n" + serviceLines, Path.Combine(_dir, "shoal.yml"), "shoal.yml").FindService("app")!.Runtime;

    private string ErrorOf(string serviceLines) =>
        Assert.Throws<ConfigFileException>(() => Runtime(serviceLines)).Message;

    [Fact]
    public void Parse_NothingGiven_ABareProcessWithoutLimits()
    {
        var runtime = Runtime("");

        Assert.Equal(RuntimeKind.Process, runtime.Kind);
        Assert.Equal(NetworkMode.Host, runtime.Network);
        Assert.Null(runtime.User);
        Assert.Null(runtime.Image);
        Assert.Equal(ResourceLimits.None, runtime.Limits);
        Assert.Equal(new FieldLocation(2, 3), runtime.RuntimeAt);
    }

    [Fact]
    public void Parse_EveryField_Read()
    {
        Directory.CreateDirectory(Path.Combine(_dir, "rootfs"));

        var runtime = Runtime("    runtime: oci\n    image: rootfs\n    network: isolated\n    user: '1000:100'\n    resources: { cpus: 0.5, memory: 256M, pids: 128 }\n");

        Assert.Equal(RuntimeKind.Oci, runtime.Kind);
        Assert.Equal(Path.Combine(_dir, "rootfs"), runtime.Image);
        Assert.Equal(NetworkMode.Isolated, runtime.Network);
        Assert.Equal("1000:100", runtime.User);
        Assert.Equal(new ResourceLimits(256L << 20, 0.5, 128), runtime.Limits);
        Assert.Equal(new FieldLocation(4, 14), runtime.RuntimeAt);
        Assert.Equal(new FieldLocation(7, 11), runtime.UserAt);
    }

    [Fact]
    public void Parse_ComposeDeployResourcesLimits_ReadNextToTheDeliverySettings()
    {
        var stack = StandardStack.Parse("services:\n  app:\n    command: [x]\n    deploy:\n      max_surge: 2\n      resources:\n        limits: { cpus: '0.25', memory: 1Gi, pids: 32 }\n", Path.Combine(_dir, "shoal.yml"), "shoal.yml");

        var app = stack.FindService("app")!;
        Assert.Equal(new ResourceLimits(1L << 30, 0.25, 32), app.Runtime.Limits);
        Assert.Equal(2, app.Sections.Get<Shoal.Delivery.Configuration.DeploymentDefaults>().MaxSurge);
    }

    [Theory]
    [InlineData("64M", 64L << 20)]
    [InlineData("512Mi", 512L << 20)]
    [InlineData("1G", 1L << 30)]
    [InlineData("1GiB", 1L << 30)]
    [InlineData("256mb", 256L << 20)]
    [InlineData("7000k", 7000L << 10)]
    [InlineData("67108864", 67108864L)]
    public void Parse_MemoryUnits_PowersOf1024(string text, long bytes)
    {
        Assert.Equal(bytes, Runtime($"    resources: {{ memory: {text} }}\n").Limits.MemoryBytes);
    }

    [Theory]
    [InlineData("    runtime: containerd\n", "shoal.yml:4:14: services.app.runtime: unknown runtime 'containerd'; allowed: process, sandbox, oci, docker")]
    [InlineData("    runtime: sandbx\n", "shoal.yml:4:14: services.app.runtime: unknown runtime 'sandbx' (did you mean 'sandbox'?); allowed: process, sandbox, oci, docker")]
    [InlineData("    network: isolated\n", "shoal.yml:4:14: services.app.network: network 'isolated' needs runtime sandbox or oci; runtime process shares the host's network")]
    [InlineData("    runtime: docker\n    image: nginx\n    network: isolated\n", "shoal.yml:6:14: services.app.network: network 'isolated' needs runtime sandbox or oci; runtime docker shares the host's network")]
    [InlineData("    network: private\n", "shoal.yml:4:14: services.app.network: expected one of host, isolated, got 'private'")]
    [InlineData("    user: 'root; rm -rf /'\n", "shoal.yml:4:11: services.app.user: 'root; rm -rf /' is not a user: give a name (nobody), a uid (65534) or uid:gid (1000:1000)")]
    [InlineData("    runtime: oci\n", "shoal.yml:4:5: services.app.image: runtime oci needs an 'image': a root file system directory, an OCI image layout directory or an OCI/docker-save tarball")]
    [InlineData("    runtime: docker\n", "shoal.yml:4:5: services.app.image: runtime docker needs an 'image': the name the engine runs (e.g. nginx:1.27)")]
    [InlineData("    image: alpine\n", "shoal.yml:4:12: services.app.image: 'image' is for runtime oci or docker; runtime process runs the command on the host's files")]
    [InlineData("    resources: { memory: lots }\n", "shoal.yml:4:26: services.app.resources.memory: expected a size such as 256M, 1G or 512Mi, got 'lots'")]
    [InlineData("    resources: { memory: 1.5G }\n", "shoal.yml:4:26: services.app.resources.memory: expected a size such as 256M, 1G or 512Mi, got '1.5G'")]
    [InlineData("    resources: { memory: 1M }\n", "shoal.yml:4:26: services.app.resources.memory: 1M is too little; allowed from 6M")]
    [InlineData("    resources: { memory: -64M }\n", "shoal.yml:4:26: services.app.resources.memory: expected a size such as 256M, 1G or 512Mi, got '-64M'")]
    [InlineData("    resources: { cpus: 0 }\n", "shoal.yml:4:24: services.app.resources.cpus: 0 is out of range; allowed 0.01 to 1024")]
    [InlineData("    resources: { cpus: -1 }\n", "shoal.yml:4:24: services.app.resources.cpus: -1 is out of range; allowed 0.01 to 1024")]
    [InlineData("    resources: { cpus: half }\n", "shoal.yml:4:24: services.app.resources.cpus: expected a number from 0.01 to 1024, got 'half'")]
    [InlineData("    resources: { pids: 0 }\n", "shoal.yml:4:24: services.app.resources.pids: 0 is out of range; allowed 1 to 4194304")]
    [InlineData("    resources: { pids: 2.5 }\n", "shoal.yml:4:24: services.app.resources.pids: expected a whole number from 1 to 4194304, got '2.5'")]
    [InlineData("    resources: { memroy: 64M }\n", "shoal.yml:4:18: services.app.resources.memroy: unknown field 'memroy' (did you mean 'memory'?)")]
    [InlineData("    resources: 64M\n", "shoal.yml:4:16: services.app.resources: expected a mapping of fields, got '64M'")]
    [InlineData("    deploy:\n      resources: { reservations: { memory: 64M } }\n", "shoal.yml:5:20: services.app.deploy.resources.reservations: unknown field 'reservations'; allowed here: limits")]
    [InlineData("    deploy:\n      resources: 64M\n", "shoal.yml:5:18: services.app.deploy.resources: expected a mapping with 'limits' (cpus, memory, pids), got '64M'")]
    [InlineData("    resources: { memory: 64M }\n    deploy:\n      resources: { limits: { memory: 32M } }\n", "shoal.yml:6:28: services.app.deploy.resources.limits: the limits are already given under 'resources': give them in one place")]
    public void Parse_InvalidValue_NamesFileLineFieldAndWhatIsAllowed(string serviceLines, string expected)
    {
        Assert.Equal(expected, ErrorOf(serviceLines));
    }

    [Fact]
    public void Parse_OciImageMissing_NamesWhereItLooked()
    {
        Assert.Equal($"shoal.yml:5:12: services.app.image: no image at 'nowhere' (resolved to {Path.Combine(_dir, "nowhere")})", ErrorOf("    runtime: oci\n    image: nowhere\n"));
    }

    [Fact]
    public void Parse_ExternalServiceWithLimits_Refused()
    {
        var message = Assert.Throws<ConfigFileException>(() => StandardStack.Parse("services:\n  app:\n    external: true\n    resources: { memory: 64M }\n", Path.Combine(_dir, "shoal.yml"), "shoal.yml")).Message;

        Assert.Equal("shoal.yml:4:5: services.app.resources: an external service runs elsewhere: Shoal starts none of its processes, so it cannot isolate or limit them", message);
    }

    [Theory]
    [InlineData("nobody")]
    [InlineData("www-data")]
    [InlineData("65534")]
    [InlineData("1000:1000")]
    public void Parse_UserForms_Accepted(string user)
    {
        Assert.Equal(user, Runtime($"    user: '{user}'\n").User);
    }
}
