using Shoal.Orchestration.Lifecycle;
using Shoal.Processes;

namespace Shoal.Orchestration.Tests.Lifecycle;

public sealed class SystemUsersTests : IDisposable
{
    private readonly string _passwd = Path.GetTempFileName();

    public SystemUsersTests() =>
        File.WriteAllText(_passwd, "root:x:0:0:root:/root:/bin/bash\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\nbroken line\napp:x:1000:100::/home/app:/bin/sh\n");

    public void Dispose() => File.Delete(_passwd);

    [Theory]
    [InlineData("nobody", "nobody", 65534u, 65534u)]
    [InlineData("1000", "app", 1000u, 100u)]
    [InlineData("1000:1000", "app", 1000u, 1000u)]
    [InlineData("4242:4242", "4242:4242", 4242u, 4242u)]
    public void Resolve_KnownForms_GiveTheIds(string text, string name, uint uid, uint gid)
    {
        Assert.Equal((new ProcessUser(name, uid, gid), (string?)null), SystemUsers.Resolve(text, _passwd));
    }

    [Fact]
    public void Resolve_UnknownName_SaysHowToCreateIt()
    {
        Assert.Equal((null, $"no user 'ghost' in {_passwd}; create it (useradd --system ghost) or name another"), SystemUsers.Resolve("ghost", _passwd));
    }

    [Fact]
    public void Resolve_UnknownUid_AsksForAGroup()
    {
        Assert.Equal((null, $"no user has uid 4242 in {_passwd}; give uid:gid to run with a primary group of your choosing"), SystemUsers.Resolve("4242", _passwd));
    }

    [Theory]
    [InlineData(256L << 20, "256 MiB")]
    [InlineData(1536L << 20, "1.5 GiB")]
    [InlineData(512, "512 B")]
    [InlineData(64L << 20, "64 MiB")]
    public void MemorySize_Format_BinaryUnits(long bytes, string expected)
    {
        Assert.Equal(expected, MemorySize.Format(bytes));
    }
}
