namespace Shoal.Processes.Tests;

public sealed class ProcessUsersTests : IDisposable
{
    private readonly string _passwd = Path.GetTempFileName();
    private readonly string _group = Path.GetTempFileName();

    public ProcessUsersTests() => File.WriteAllText(_passwd, "root:x:0:0:root:/root:/bin/bash\nweb:x:1001:1002::/home/web:/bin/sh\nbroken line\n");

    public void Dispose()
    {
        File.Delete(_passwd);
        File.Delete(_group);
    }

    [Theory]
    [InlineData("web", "web", 1001u, 1002u)]
    [InlineData("1001", "web", 1001u, 1002u)]
    [InlineData("1001:50", "web", 1001u, 50u)]
    [InlineData("4242", "4242", 4242u, 4242u)]
    [InlineData("4242:7", "4242", 4242u, 7u)]
    public void Resolve_NameUidOrUidGid(string value, string name, uint uid, uint gid)
    {
        Assert.Equal(new ProcessUser(name, uid, gid), ProcessUsers.Resolve(value, _passwd));
    }

    [Fact]
    public void Resolve_AnUnknownName_SaysSo()
    {
        var error = Assert.Throws<ProcessStartException>(() => ProcessUsers.Resolve("nobody-here", _passwd));

        Assert.Equal($"user 'nobody-here' does not exist on this machine (not in {_passwd}); create it or give a uid (user: 1000 or 1000:1000).", error.Message);
    }

    [Theory]
    [InlineData("")]
    [InlineData("a:b")]
    [InlineData("1:2:3")]
    public void Resolve_NoneOfTheForms_SaysSo(string value)
    {
        var error = Assert.Throws<ProcessStartException>(() => ProcessUsers.Resolve(value, _passwd));

        Assert.Equal($"user '{value}' is not a user name, a uid or uid:gid.", error.Message);
    }

    [Fact]
    public void HostSwitchCommand_NamesThatMapToTheIds_AreGivenByName()
    {
        var group = Group("web:x:1002:\n");

        Assert.Equal(
            [ProcessUsers.Setpriv, "--reuid", "web", "--regid", "web", "--clear-groups", "--no-new-privs"],
            ProcessUsers.HostSwitchCommand(new ProcessUser("web", 1001, 1002), _passwd, group));
    }

    [Theory]
    [InlineData("web", 1003u, 1002u, "web:x:1002:\n", "1003", "web")]
    [InlineData("web", 1001u, 50u, "web:x:1002:\n", "web", "50")]
    [InlineData("4242", 4242u, 4242u, "", "4242", "4242")]
    [InlineData("web", 1001u, 1002u, "staff:x:1002:\nstaff:x:7:\n", "web", "staff")]
    [InlineData("web", 1001u, 7u, "staff:x:1002:\nstaff:x:7:\n", "web", "7")]
    public void HostSwitchCommand_ANameALookupWouldMapElsewhere_GivesTheNumber(string name, uint uid, uint gid, string groups, string user, string group)
    {
        // setpriv takes the first entry of a name: a name is only given where that entry has exactly these ids.
        var command = ProcessUsers.HostSwitchCommand(new ProcessUser(name, uid, gid), _passwd, Group(groups));

        Assert.Equal([ProcessUsers.Setpriv, "--reuid", user, "--regid", group, "--clear-groups", "--no-new-privs"], command);
    }

    [Fact]
    public async Task EnsureSystemUser_Concurrently_CreatesOneUserWithoutAShell()
    {
        // The real useradd on this (root) machine: the user functions run as by default.
        var users = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() => ProcessUsers.EnsureSystemUser())));

        Assert.Single(users.Distinct());
        var entries = File.ReadAllLines("/etc/passwd").Where(l => l.StartsWith(ProcessUsers.FunctionUser + ":", StringComparison.Ordinal)).ToList();
        var entry = Assert.Single(entries);
        Assert.EndsWith(":/usr/sbin/nologin", entry, StringComparison.Ordinal);
        Assert.NotEqual(0u, users[0].Uid);
        Assert.Equal(users[0], ProcessUsers.EnsureSystemUser());
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public void CanRead_APrivateRootDirectory_IsFalseForAnotherUser_TrueForRoot()
    {
        var directory = Directory.CreateTempSubdirectory("shoal-private-").FullName;
        try
        {
            File.SetUnixFileMode(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            var nobody = ProcessUsers.Resolve("nobody");

            Assert.False(ProcessUsers.CanRead(nobody, directory));
            Assert.True(ProcessUsers.CanRead(new ProcessUser("root", 0, 0), directory));

            File.SetUnixFileMode(directory, (UnixFileMode)0b111_101_101);
            Assert.True(ProcessUsers.CanRead(nobody, directory));
        }
        finally
        {
            Directory.Delete(directory);
        }
    }

    private string Group(string text)
    {
        File.WriteAllText(_group, text);
        return _group;
    }
}
