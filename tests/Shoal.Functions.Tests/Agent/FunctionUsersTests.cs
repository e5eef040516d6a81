using Shoal.Functions.Agent.Identity;
using Shoal.Processes;

namespace Shoal.Functions.Tests.Agent;

public sealed class FunctionUsersTests : IDisposable
{
    private readonly string _passwd = Path.GetTempFileName();

    public FunctionUsersTests() => File.WriteAllText(_passwd, "root:x:0:0:root:/root:/bin/bash\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\napp:x:1000:1001::/home/app:/bin/sh\n");

    public void Dispose() => File.Delete(_passwd);

    private static readonly ProcessUser s_shoalFn = new("shoal-fn", 998, 997);

    private FunctionUsers Root() => new(0, () => s_shoalFn, _passwd);

    [Fact]
    public void Resolve_RootAgentWithoutUser_RunsAsTheFunctionUser() =>
        Assert.Same(s_shoalFn, Root().Resolve(null));

    [Theory]
    [InlineData("app", "app", 1000u, 1001u)]
    [InlineData("1000", "app", 1000u, 1001u)]
    [InlineData("1000:50", "app", 1000u, 50u)]
    [InlineData("4242", "4242", 4242u, 4242u)]
    [InlineData("4242:7", "4242", 4242u, 7u)]
    public void Resolve_RootAgentWithUser_FindsIt(string written, string name, uint uid, uint gid) =>
        Assert.Equal(new ProcessUser(name, uid, gid), Root().Resolve(written));

    [Theory]
    [InlineData("root")]
    [InlineData("0")]
    [InlineData("0:0")]
    public void Resolve_ExplicitRoot_RunsAsTheAgent(string written) =>
        Assert.Null(Root().Resolve(written));

    [Fact]
    public void Resolve_UnknownName_SaysHowToAddIt() =>
        Assert.Equal(
            $"user 'ghost' does not exist on this machine (not in {_passwd}); create it or give a uid (user: 1000 or 1000:1000).",
            Assert.Throws<ProcessStartException>(() => Root().Resolve("ghost")).Message);

    [Fact]
    public void Resolve_UnprivilegedAgent_RunsFunctionsAsItself() =>
        Assert.Null(new FunctionUsers(1000, () => s_shoalFn, _passwd).Resolve(null));

    [Fact]
    public void Resolve_UnprivilegedAgent_CannotSwitchToAnotherUser()
    {
        Assert.Null(new FunctionUsers(1000, () => s_shoalFn, _passwd).Resolve("app"));
        Assert.Equal(
            "user 'nobody': the agent runs as uid 1000 and can start functions only as itself; run it as root to switch users",
            Assert.Throws<ProcessStartException>(() => new FunctionUsers(1000, () => s_shoalFn, _passwd).Resolve("nobody")).Message);
    }
}
