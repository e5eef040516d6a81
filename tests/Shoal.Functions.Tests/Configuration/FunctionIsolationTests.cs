using Shoal.Configuration;
using Shoal.Functions.Configuration;
using Shoal.Processes;

namespace Shoal.Functions.Tests.Configuration;

public sealed class FunctionIsolationTests : IDisposable
{
    private const string Valid = "functions:\n  hello:\n    command: [bash, bootstrap]\n    code: hello\n";

    private readonly TempDirectory _dir = new();

    public FunctionIsolationTests() => _dir.CreateDirectory("hello");

    public void Dispose() => _dir.Dispose();

    private FunctionDefinition Load(string extra) =>
        Assert.Single(FunctionsFileLoader.Load(_dir.Write("functions.yml", Valid + extra), null).Functions);

    private string ErrorOf(string extra) =>
        Assert.Throws<ConfigFileException>(() => FunctionsFileLoader.Load(_dir.Write("functions.yml", Valid + extra), null)).Message;

    [Fact]
    public void Load_NoIsolationFields_DefaultsToAProcessKeptRunning()
    {
        var hello = Load("");

        Assert.Equal(FunctionIsolation.Default, hello.Isolation);
        Assert.Equal(RuntimeKind.Process, hello.Isolation.Runtime);
        Assert.Equal(IdleMode.Stop, hello.Isolation.Idle);
        Assert.Null(hello.Isolation.User);
        Assert.Equal(128, hello.MemoryMb);
    }

    [Fact]
    public void Load_EveryIsolationField_ReadsThem()
    {
        _dir.CreateDirectory("rootfs");
        var hello = Load("    runtime: oci\n    image: rootfs\n    network: isolated\n    user: 1000:1001\n    resources: { cpus: 0.5, pids: 64 }\n    memory: 256\n    idle: freeze\n");

        Assert.Equal(
            new FunctionIsolation { Runtime = RuntimeKind.Oci, Image = _dir.PathOf("rootfs"), Network = NetworkMode.Isolated, User = "1000:1001", Cpus = 0.5, MaxProcesses = 64, Idle = IdleMode.Freeze },
            hello.Isolation);
        Assert.Equal(256, hello.MemoryMb);
    }

    [Theory]
    [InlineData("256", 256)]
    [InlineData("256M", 256)]
    [InlineData("1G", 1024)]
    [InlineData("1Gi", 1024)]
    [InlineData("131072K", 128)]
    public void Load_ResourcesMemory_IsTheFunctionsMemory(string memory, int mb) =>
        Assert.Equal(mb, Load($"    resources: {{ memory: {memory} }}\n").MemoryMb);

    [Theory]
    [InlineData("user: root", "root")]
    [InlineData("user: shoal-fn", "shoal-fn")]
    [InlineData("user: 65534", "65534")]
    public void Load_User_KeepsItAsWritten(string line, string user) =>
        Assert.Equal(user, Load($"    {line}\n").Isolation.User);

    [Fact]
    public void Load_DockerWithImageName_KeepsTheName() =>
        Assert.Equal("public.ecr.aws/lambda/nodejs:20", Load("    runtime: docker\n    image: public.ecr.aws/lambda/nodejs:20\n").Isolation.Image);

    [Theory]
    [InlineData("runtime: sandbx", "functions.yml:5:14: functions.hello.runtime: expected one of process, sandbox, oci, docker, got 'sandbx' (did you mean 'sandbox'?)")]
    [InlineData("runtime: vm", "functions.yml:5:14: functions.hello.runtime: expected one of process, sandbox, oci, docker, got 'vm'")]
    [InlineData("network: isolatd", "functions.yml:5:14: functions.hello.network: expected one of host, isolated, got 'isolatd' (did you mean 'isolated'?)")]
    [InlineData("network: isolated", "functions.yml:5:14: functions.hello.network: an isolated network needs runtime sandbox or oci, not process")]
    [InlineData("idle: frezze", "functions.yml:5:11: functions.hello.idle: expected one of stop, freeze, got 'frezze' (did you mean 'freeze'?)")]
    [InlineData("idle: frozen", "functions.yml:5:11: functions.hello.idle: expected one of stop, freeze, got 'frozen'")]
    [InlineData("idel: freeze", "functions.yml:5:5: functions.hello.idel: unknown field 'idel' (did you mean 'idle'?)")]
    [InlineData("user: \"bad user\"", "functions.yml:5:11: functions.hello.user: 'bad user' is not a user: give a name (e.g. shoal-fn), a uid (e.g. 1000) or uid:gid (e.g. 1000:1000)")]
    [InlineData("user: \"1000:\"", "functions.yml:5:11: functions.hello.user: '1000:' is not a user: give a name (e.g. shoal-fn), a uid (e.g. 1000) or uid:gid (e.g. 1000:1000)")]
    [InlineData("image: ./rootfs", "functions.yml:5:12: functions.hello.image: an image is for runtime oci or docker; runtime process runs on the host's directories")]
    [InlineData("runtime: docker", "functions.yml:3:5: functions.hello.image: missing: runtime docker needs the image to run, e.g. image: public.ecr.aws/lambda/nodejs:20")]
    [InlineData("resources: { cpus: 0 }", "functions.yml:5:24: functions.hello.resources.cpus: 0 is out of range; allowed 0.01 to 1024")]
    [InlineData("resources: { pids: 0 }", "functions.yml:5:24: functions.hello.resources.pids: 0 is out of range; allowed 1 to 4194304")]
    [InlineData("resources: { cpu: 1 }", "functions.yml:5:18: functions.hello.resources.cpu: unknown field 'cpu' (did you mean 'cpus'?)")]
    [InlineData("resources: { memory: 64M }", "functions.yml:5:26: functions.hello.resources.memory: 64M is out of range; allowed 128 to 10240 MB in whole MB")]
    [InlineData("resources: { memory: lots }", "functions.yml:5:26: functions.hello.resources.memory: expected MB (e.g. 256) or a size such as 256M or 1G, got 'lots'")]
    [InlineData("resources: 2", "functions.yml:5:16: functions.hello.resources: expected a mapping of fields, got '2'")]
    public void Load_BadIsolationField_NamesFileLineAndField(string line, string expected) =>
        Assert.Equal(expected, Assert.Single(Assert.Throws<ConfigFileException>(() => FunctionsFileLoader.Load(_dir.Write("functions.yml", Valid + "    " + line + "\n"), null)).Errors).ToString());

    [Fact]
    public void Load_MemoryTwice_IsRefused() =>
        Assert.Contains("functions.yml:6:26: functions.hello.resources.memory: the memory is given twice: keep either 'memory' (MB) or 'resources.memory'", ErrorOf("    memory: 256\n    resources: { memory: 512 }\n"), StringComparison.Ordinal);

    [Fact]
    public void Load_OciImageMissing_NamesTheResolvedPath() =>
        Assert.Contains($"functions.hello.image: no root file system, OCI layout or image tarball at 'nowhere' (resolved to {_dir.PathOf("nowhere")})", ErrorOf("    runtime: oci\n    image: nowhere\n"), StringComparison.Ordinal);
}
