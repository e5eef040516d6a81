using Shoal.Configuration;
using Shoal.Functions.Configuration;

namespace Shoal.Functions.Tests.Configuration;

public sealed class FunctionsFileLoaderTests : IDisposable
{
    private const string Valid = "functions:\n  hello:\n    command: [bash, bootstrap]\n    code: hello\n";

    private readonly TempDirectory _dir = new();

    public FunctionsFileLoaderTests() => _dir.CreateDirectory("hello");

    public void Dispose() => _dir.Dispose();

    private FunctionsConfiguration Load(string functions) =>
        FunctionsFileLoader.Load(_dir.Write("functions.yml", functions), null);

    private string ErrorOf(string functions) => Assert.Throws<ConfigFileException>(() => Load(functions)).Message;

    [Fact]
    public void Load_FullFunction_ReadsEveryField()
    {
        var config = Load("""
            functions:
              hello:
                command: ["bash", "bootstrap"]
                handler: function.handler
                code: ./hello
                memory: 512
                timeout: 30s
                init_timeout: 5s
                environment: { GREETING: hi, COUNT: 3 }
                version: "7"
                concurrency:
                  max: 20
                  min_warm: 2
                  queue: 50
                  queue_timeout: 2s
                idle_timeout: 1m
                max_lifetime: 30m
            """);

        var hello = Assert.Single(config.Functions);
        Assert.Equal("hello", hello.Name);
        Assert.Equal(["bash", "bootstrap"], hello.Command);
        Assert.Equal("function.handler", hello.Handler);
        Assert.Equal(_dir.PathOf("hello"), hello.CodeDirectory);
        Assert.Equal(512, hello.MemoryMb);
        Assert.Equal(TimeSpan.FromSeconds(30), hello.Timeout);
        Assert.Equal(TimeSpan.FromSeconds(5), hello.InitTimeout);
        Assert.Equal(new Dictionary<string, string> { ["GREETING"] = "hi", ["COUNT"] = "3" }, hello.Environment);
        Assert.Equal("7", hello.Version);
        Assert.Equal(new ConcurrencySettings { Max = 20, MinWarm = 2, QueueDepth = 50, QueueTimeout = TimeSpan.FromSeconds(2) }, hello.Concurrency);
        Assert.Equal(TimeSpan.FromMinutes(1), hello.IdleTimeout);
        Assert.Equal(TimeSpan.FromMinutes(30), hello.MaxLifetime);
        Assert.Equal("functions.yml:2", hello.Source);
        Assert.Empty(config.Routes);
        Assert.Same(AuthSettings.None, config.Auth);
        Assert.Equal("$default", config.Stage);
    }

    [Fact]
    public void Load_MinimalFunction_TakesTheDefaults()
    {
        var hello = Assert.Single(Load(Valid).Functions);

        Assert.Equal("", hello.Handler);
        Assert.Equal(128, hello.MemoryMb);
        Assert.Equal(TimeSpan.FromSeconds(3), hello.Timeout);
        Assert.Equal(TimeSpan.FromSeconds(10), hello.InitTimeout);
        Assert.Empty(hello.Environment);
        Assert.Equal("$LATEST", hello.Version);
        Assert.Equal(new ConcurrencySettings { Max = 10, MinWarm = 0, QueueDepth = 100, QueueTimeout = TimeSpan.FromSeconds(10) }, hello.Concurrency);
        Assert.Equal(TimeSpan.FromMinutes(5), hello.IdleTimeout);
        Assert.Equal(TimeSpan.FromHours(2), hello.MaxLifetime);
    }

    [Fact]
    public void Load_CommandString_IsSplitLikeAShellCommandLine()
    {
        var hello = Assert.Single(Load("functions:\n  hello:\n    command: ./bootstrap --mode \"fast start\" 'a b'\n    code: hello\n").Functions);

        Assert.Equal(["./bootstrap", "--mode", "fast start", "a b"], hello.Command);
    }

    [Fact]
    public void Load_SeveralFunctions_KeepFileOrderAndTheirLines()
    {
        var config = Load(Valid + "  world-2_x:\n    command: [node, index.js]\n    code: .\n");

        Assert.Equal(["hello", "world-2_x"], config.Functions.Select(f => f.Name));
        Assert.Equal("functions.yml:5", config.Functions[1].Source);
        Assert.Equal(_dir.Path, config.Functions[1].CodeDirectory);
        Assert.Same(config.Functions[1], config.Find("world-2_x"));
    }

    [Fact]
    public void Load_RelativeCode_ResolvesAgainstTheFileNotTheCurrentDirectory()
    {
        _dir.CreateDirectory("stack/fn");
        var path = _dir.Write("stack/functions.yml", "functions:\n  hello:\n    command: [x]\n    code: fn\n");

        var hello = Assert.Single(FunctionsFileLoader.Load(path, null).Functions);

        Assert.Equal(_dir.PathOf("stack/fn"), hello.CodeDirectory);
    }

    [Theory]
    [InlineData("memory: 64", "functions.yml:5:13: functions.hello.memory: 64 is out of range; allowed 128 to 10240")]
    [InlineData("memory: lots", "functions.yml:5:13: functions.hello.memory: expected a whole number from 128 to 10240, got 'lots'")]
    [InlineData("timeout: 20m", "functions.yml:5:14: functions.hello.timeout: 20m is out of range; allowed 1s to 15m")]
    [InlineData("timeout: soon", "functions.yml:5:14: functions.hello.timeout: expected a duration such as 500ms, 5s or 1m, got 'soon'")]
    [InlineData("init_timeout: 0s", "functions.yml:5:19: functions.hello.init_timeout: 0s is out of range; allowed 1s to 15m")]
    [InlineData("idle_timeout: 10ms", "functions.yml:5:19: functions.hello.idle_timeout: 10ms is out of range; allowed 100ms to 1d")]
    [InlineData("max_lifetime: 0s", "functions.yml:5:19: functions.hello.max_lifetime: 0s is out of range; allowed 1ms to 1d")]
    [InlineData("handler: [a]", "functions.yml:5:14: functions.hello.handler: expected a text value, got a list")]
    [InlineData("version: ''", "functions.yml:5:14: functions.hello.version: the version is empty; leave it out for $LATEST")]
    [InlineData("environment: [A=1]", "functions.yml:5:18: functions.hello.environment: expected a mapping of NAME: value, got a list")]
    [InlineData("environment: { 1BAD: x }", "functions.yml:5:20: functions.hello.environment.1BAD: '1BAD' is not a variable name: use letters, digits and '_', not starting with a digit")]
    [InlineData("environment: { _HANDLER: x }", "functions.yml:5:20: functions.hello.environment._HANDLER: _HANDLER is reserved: Shoal sets it from the function's definition")]
    [InlineData("concurrency: 5", "functions.yml:5:18: functions.hello.concurrency: expected a mapping of fields, got '5'")]
    [InlineData("concurrency: { max: 0 }", "functions.yml:5:25: functions.hello.concurrency.max: 0 is out of range; allowed 1 to 1000")]
    [InlineData("concurrency: { max: 2, min_warm: 3 }", "functions.yml:5:38: functions.hello.concurrency.min_warm: 3 is more than max (2): at most max instances can be kept warm")]
    [InlineData("concurrency: { queue: 100001 }", "functions.yml:5:27: functions.hello.concurrency.queue: 100001 is out of range; allowed 0 to 100000")]
    [InlineData("concurrency: { queue_timeout: 16m }", "functions.yml:5:35: functions.hello.concurrency.queue_timeout: 16m is out of range; allowed 0ms to 15m")]
    [InlineData("concurrency: { maxx: 3 }", "functions.yml:5:20: functions.hello.concurrency.maxx: unknown field 'maxx' (did you mean 'max'?)")]
    [InlineData("memmory: 256", "functions.yml:5:5: functions.hello.memmory: unknown field 'memmory' (did you mean 'memory'?)")]
    public void Load_BadField_NamesFileLineAndField(string line, string expected)
    {
        Assert.Equal(expected, ErrorOf(Valid + "    " + line + "\n"));
    }

    [Theory]
    [InlineData("code: hello", "functions.yml:3:5: functions.hello.command: missing: give the runtime's bootstrap as a list (e.g. [bash, bootstrap]) or a command line")]
    [InlineData("command: []\n    code: hello", "functions.yml:3:14: functions.hello.command: the command is empty")]
    [InlineData("command: '  '\n    code: hello", "functions.yml:3:14: functions.hello.command: the command is empty")]
    [InlineData("command: { a: b }\n    code: hello", "functions.yml:3:14: functions.hello.command: expected the argv as a list (e.g. [bash, bootstrap]) or a string, got a mapping")]
    [InlineData("command: [x]", "functions.yml:3:5: functions.hello.code: missing: give the directory that holds the function's code, e.g. ./hello")]
    [InlineData("command: [x]\n    code: ''", "functions.yml:4:11: functions.hello.code: the code directory is empty; write . for the directory of this file")]
    public void Load_MissingOrEmptyRequiredField_SaysWhatToGive(string body, string expected)
    {
        Assert.Equal(expected, ErrorOf("functions:\n  hello:\n    " + body + "\n"));
    }

    [Fact]
    public void Load_CodeDirectoryMissing_NamesTheResolvedPath()
    {
        Assert.Equal($"functions.yml:4:11: functions.hello.code: no directory at 'nope' (resolved to {_dir.PathOf("nope")})",
            ErrorOf("functions:\n  hello:\n    command: [x]\n    code: nope\n"));
    }

    [Theory]
    [InlineData("functions:\n", "functions.yml:1:1: functions: missing: the file needs a 'functions:' mapping with at least one function")]
    [InlineData("functions: {}\n", "functions.yml:1:12: functions: no functions: give at least one, e.g. hello: { command: [bash, bootstrap], code: ./hello }")]
    [InlineData("functions: [hello]\n", "functions.yml:1:12: functions: expected a mapping of function names to functions, got a list")]
    [InlineData("functions:\n  hello: 3\n", "functions.yml:2:10: functions.hello: expected a mapping with 'command' and 'code', got '3'")]
    [InlineData("", "functions.yml:1:1: the functions file must be a mapping with a 'functions:' section")]
    [InlineData("- hello\n", "functions.yml:1:1: the functions file must be a mapping with a 'functions:' section")]
    public void Load_NoFunctions_IsAnError(string yaml, string expected)
    {
        Assert.Equal(expected, ErrorOf(yaml));
    }

    [Theory]
    [InlineData("hello world")]
    [InlineData("héllo")]
    [InlineData("a.b")]
    [InlineData("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")]
    public void Load_BadFunctionName_IsRefused(string name)
    {
        Assert.Equal($"functions.yml:2:3: functions.{name}: a function name uses letters, digits, '-' and '_' (1 to 64 characters)",
            ErrorOf($"functions:\n  '{name}':\n    command: [x]\n    code: hello\n"));
    }

    [Fact]
    public void Load_InvalidYaml_ReportsWhereTheParserStopped()
    {
        var error = Assert.Single(Assert.Throws<ConfigFileException>(() => Load("functions:\n  hello: [x\n")).Errors);

        Assert.Equal("functions.yml", error.File);
        Assert.StartsWith("not valid YAML: ", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_UnknownTopLevelKey_IsAnError()
    {
        Assert.Equal("functions.yml:5:1: routes: unknown field 'routes'; allowed here: functions", ErrorOf(Valid + "routes: []\n"));
    }

    [Fact]
    public void Load_SeveralProblems_AreAllReportedInFileOrder()
    {
        var ex = Assert.Throws<ConfigFileException>(() => Load(Valid + "    memory: 1\n  world:\n    command: [x]\n    code: hello\n    timeout: 0s\n"));

        Assert.Equal(
            ["functions.yml:5:13: functions.hello.memory: 1 is out of range; allowed 128 to 10240", "functions.yml:9:14: functions.world.timeout: 0s is out of range; allowed 1s to 15m"],
            ex.Errors.Select(e => e.ToString()));
    }

    [Fact]
    public void Load_MissingFile_NamesIt()
    {
        var path = _dir.PathOf("nope.yml");

        Assert.Equal($"{path}: no such functions file.", Assert.Throws<ConfigFileException>(() => FunctionsFileLoader.Load(path, null)).Message);
    }

    [Fact]
    public void Load_MissingRoutingFile_NamesIt()
    {
        var functions = _dir.Write("functions.yml", Valid);
        var routing = _dir.PathOf("routing.yml");

        Assert.Equal($"{routing}: no such routing file.", Assert.Throws<ConfigFileException>(() => FunctionsFileLoader.Load(functions, routing)).Message);
    }

    [Fact]
    public void Locate_FilesNextToTheStack_AreFound()
    {
        _dir.Write("functions.yml", Valid);
        _dir.Write("routing.yaml", "routes: []\n");

        Assert.Equal((_dir.PathOf("functions.yml"), _dir.PathOf("routing.yaml")), FunctionsFileLoader.Locate(_dir.Path, null, null));
    }

    [Fact]
    public void Locate_NoFiles_FindsNothing()
    {
        Assert.Equal((null, null), FunctionsFileLoader.Locate(_dir.Path, null, null));
    }

    [Fact]
    public void Locate_ExplicitPaths_WinAndAreRelativeToTheStack()
    {
        _dir.Write("functions.yml", Valid);
        _dir.Write("routing.yml", "routes: []\n");
        var elsewhere = _dir.PathOf("other/routes.yml");

        Assert.Equal((_dir.PathOf("conf/fns.yml"), elsewhere), FunctionsFileLoader.Locate(_dir.Path, "conf/fns.yml", elsewhere));
    }
}
