using Grpc.Core;
using Shoal.Functions.Agent;
using Shoal.Functions.Agent.Instances;
using Shoal.Functions.Agent.Protocol;
using Shoal.Processes;

namespace Shoal.Functions.Tests.Agent;

/// <summary>The wire's isolation fields as the agent reads them, and its instances' runtime, limits and usage as it reports them.</summary>
public sealed class AgentServiceSpecTests
{
    private static FunctionSpec Spec() => new() { Name = "fn", CodeDirectory = "/code", MemoryMb = 128, Command = { "bootstrap" } };

    [Fact]
    public void ToConfiguration_EmptyIsolationFields_AreTheDefaults()
    {
        var function = AgentService.ToConfiguration(Spec());

        Assert.Equal((RuntimeKind.Process, null, NetworkMode.Host, null, null, null, false), (function.Runtime, function.Image, function.Network, function.User, function.Cpus, function.MaxProcesses, function.FreezeWhenIdle));
    }

    [Fact]
    public void ToConfiguration_IsolationFields_AreRead()
    {
        var spec = Spec();
        spec.Runtime = "oci";
        spec.Image = "/images/rootfs";
        spec.Network = "isolated";
        spec.User = "1000:1000";
        spec.Cpus = 0.5;
        spec.Pids = 64;
        spec.Idle = "freeze";

        var function = AgentService.ToConfiguration(spec);

        Assert.Equal((RuntimeKind.Oci, "/images/rootfs", NetworkMode.Isolated, "1000:1000", 0.5, 64, true), (function.Runtime, function.Image, function.Network, function.User, function.Cpus, function.MaxProcesses, function.FreezeWhenIdle));
    }

    [Theory]
    [InlineData("runtime", "vm", "runtime 'vm' is not one of process, sandbox, oci, docker.")]
    [InlineData("network", "bridge", "network 'bridge' is not host or isolated.")]
    [InlineData("idle", "sleep", "idle 'sleep' is not stop or freeze.")]
    public void ToConfiguration_UnknownValue_IsAnInvalidArgument(string field, string value, string message)
    {
        var spec = Spec();
        switch (field)
        {
            case "runtime": spec.Runtime = value; break;
            case "network": spec.Network = value; break;
            default: spec.Idle = value; break;
        }

        var ex = Assert.Throws<RpcException>(() => AgentService.ToConfiguration(spec));

        Assert.Equal((StatusCode.InvalidArgument, message), (ex.StatusCode, ex.Status.Detail));
    }

    [Fact]
    public void ToContainer_CarriesRuntimeLimitsUsageAndOomKills()
    {
        var info = new InstanceInfo("i-1", "fn", "owner", InstanceState.Exited)
        {
            Runtime = "sandbox",
            User = "shoal-fn",
            MemoryLimitBytes = 128L << 20,
            CpuLimit = 0.25,
            PidsLimit = 512,
            Usage = new Processes.ResourceUsage(TimeSpan.FromSeconds(2.5), 64L << 20, 9, 1),
            OomKills = 1,
            OomKilled = true,
            ExitCode = 137,
        };

        var container = AgentService.ToContainer(info);

        Assert.Equal(("sandbox", "shoal-fn", 128L << 20, 0.25, 512, 1, true, 137), (container.Runtime, container.User, container.MemoryLimitBytes, container.CpuLimit, container.PidsLimit, container.OomKills, container.OomKilled, container.ExitCode));
        Assert.Equal(new ContainerUsage { CpuSeconds = 2.5, MemoryBytes = 64L << 20, Pids = 9 }, container.Usage);
    }

    [Fact]
    public void ToContainer_WithoutUsage_LeavesItAbsent() =>
        Assert.Null(AgentService.ToContainer(new InstanceInfo("i-1", "fn", "owner", InstanceState.Running)).Usage);
}
