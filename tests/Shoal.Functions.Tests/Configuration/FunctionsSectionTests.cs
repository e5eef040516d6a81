using Shoal.Configuration;
using Shoal.Functions.Configuration;
using Shoal.Testing.Configuration;

namespace Shoal.Functions.Tests.Configuration;

public sealed class FunctionsSectionTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("shoal-fnsection-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private SectionReadResult Read(string yaml) => SectionReaderHarness.Read(new FunctionsSectionReader(), yaml, Path.Combine(_directory, "shoal.yml"));

    private FunctionsSettings Parse(string yaml) => Read(yaml).Stack.Get<FunctionsSettings>();

    private string ErrorOf(string yaml) => Assert.Throws<ConfigFileException>(() => Read(yaml)).Message;

    [Fact]
    public void Functions_FoundNextToTheStackFile_NeedNoSectionAndNoServices()
    {
        File.WriteAllText(Path.Combine(_directory, "functions.yml"), "functions: {}");
        File.WriteAllText(Path.Combine(_directory, "routing.yml"), "routes: []");

        var result = Read("name: fn\n");
        var functions = result.Stack.Get<FunctionsSettings>();

        Assert.True(result.ServicesOptional);
        Assert.Equal(Path.Combine(_directory, "functions.yml"), functions.DefinitionsFile);
        Assert.Equal(Path.Combine(_directory, "routing.yml"), functions.RoutingFile);
        Assert.Equal("local", functions.Agent);
        Assert.Equal(TimeSpan.FromSeconds(1), functions.JanitorInterval);
    }

    [Fact]
    public void Functions_None_LeaveServicesRequired()
    {
        var result = Read("name: x\n");

        Assert.False(result.ServicesOptional);
        Assert.Null(result.Stack.Get<FunctionsSettings>().DefinitionsFile);
    }

    [Fact]
    public void Functions_NamedFilesAgentAndJanitor_AreRead()
    {
        Directory.CreateDirectory(Path.Combine(_directory, "fn"));
        File.WriteAllText(Path.Combine(_directory, "fn", "defs.yml"), "functions: {}");

        var functions = Parse("functions:\n  definitions: fn/defs.yml\n  agent: http://127.0.0.1:7071\n  janitor_interval: 250ms\n");

        Assert.Equal(Path.Combine(_directory, "fn", "defs.yml"), functions.DefinitionsFile);
        Assert.Null(functions.RoutingFile);
        Assert.Equal("http://127.0.0.1:7071", functions.Agent);
        Assert.Equal(TimeSpan.FromMilliseconds(250), functions.JanitorInterval);
    }

    [Fact]
    public void Functions_MissingFileAndBadAgent_AreErrorsAtTheirLines()
    {
        var message = ErrorOf("functions:\n  definitions: nope.yml\n  agent: tcp://x\n");

        Assert.Contains("shoal.yml:2:16: functions.definitions: 'nope.yml' does not exist", message, StringComparison.Ordinal);
        Assert.Contains("shoal.yml:3:10: functions.agent: 'tcp://x' is not an agent", message, StringComparison.Ordinal);
    }

    [Fact]
    public void Functions_SectionWithoutAnyFunctionsFile_IsAnError()
    {
        Assert.Contains("no functions file", ErrorOf("functions:\n  agent: local\n"), StringComparison.Ordinal);
    }

    [Fact]
    public void Functions_UnknownKey_ListsTheSectionsKeys()
    {
        Assert.Equal("shoal.yml:2:3: functions.agnet: unknown field 'agnet' (did you mean 'agent'?)", ErrorOf("functions:\n  agnet: local\n  definitions: x.yml\n").Split(Environment.NewLine)[1].Trim());
    }

    [Fact]
    public void InvokeCredentials_AreRead_AndNeedBothFields()
    {
        File.WriteAllText(Path.Combine(_directory, "functions.yml"), "functions: {}");

        var functions = Parse("functions:\n  invoke_credentials: { access_key_id: AKIDLOCAL, secret_access_key: a-long-enough-secret }\n");

        Assert.Equal(new InvokeCredentials("AKIDLOCAL", "a-long-enough-secret"), functions.InvokeCredentials);
        Assert.DoesNotContain("a-long-enough-secret", functions.InvokeCredentials!.ToString(), StringComparison.Ordinal);
        Assert.Equal("shoal.yml:2:23: functions.invoke_credentials: invoke_credentials needs both access_key_id and secret_access_key",
            ErrorOf("functions:\n  invoke_credentials: { access_key_id: AKIDLOCAL }\n"));
        Assert.Equal("shoal.yml:2:70: functions.invoke_credentials.secret_access_key: a secret access key needs at least 16 characters",
            ErrorOf("functions:\n  invoke_credentials: { access_key_id: AKIDLOCAL, secret_access_key: short }\n"));
        Assert.Null(Parse("name: x\n").InvokeCredentials);
    }
}
