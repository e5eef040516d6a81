using Shoal.Configuration;
using Shoal.Orchestration.Stack;
using Shoal.Orchestration.Stack.Compose;

namespace Shoal.Orchestration.Tests.Stack.Compose;

/// <summary>Several Compose files as one stack: override files, <c>-f</c> order, <c>include:</c>, env_file; each problem in its own file.</summary>
public sealed class ComposeReaderTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("shoal-compose-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    // Files are named by their full paths (the working directory is the whole test run's): so are they in messages.
    private string P(string name) => Path.Combine(_directory, name);

    private string Write(string name, string text)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(P(name))!);
        File.WriteAllText(P(name), text);
        return P(name);
    }

    private StackDefinition Load(params string[] files) => StackFileLoader.Load(files.Select(P).ToList(), [], null, []);

    [Fact]
    public void OverrideFile_IsReadByDefault_WinsAndMergesEnvironment()
    {
        Write("compose.yaml", "services:\n  web:\n    command: [app]\n    environment: { A: base, B: base }\n");
        Write("compose.override.yaml", "services:\n  web:\n    command: [app, --debug]\n    environment: [B=override, C=new]\n");

        var web = StackFileLoader.LoadCompose([P("compose.yaml")], [], null, [], defaultOverride: true).Services.Single();

        Assert.Equal(["app", "--debug"], web.Command!);
        Assert.Equal("base", web.Environment["A"]);
        Assert.Equal("override", web.Environment["B"]);
        Assert.Equal("new", web.Environment["C"]);
        Assert.Equal(["app"], Load("compose.yaml").Services.Single().Command!);
    }

    [Fact]
    public void ErrorsAndWarnings_NameTheFileTheyAreWrittenIn()
    {
        Write("compose.yml", "services:\n  web:\n    command: [app]\n    ports: ['8000']\n");
        Write("prod.yml", "services:\n  web:\n    container_name: web\n    restart: sometimes\n");

        var ex = Assert.Throws<ConfigFileException>(() => Load("compose.yml", "prod.yml"));
        Assert.Equal($"{P("prod.yml")}:4:14: services.web.restart: 'sometimes' is not a restart policy: no, always, on-failure[:N] or unless-stopped", ex.Message);

        Write("prod.yml", "services:\n  web:\n    container_name: web\n    ports: ['9000:8000']\n    replicas_typo: 1\n");
        ex = Assert.Throws<ConfigFileException>(() => Load("compose.yml", "prod.yml"));
        Assert.StartsWith($"{P("prod.yml")}:5:5: services.web.replicas_typo: unknown field", ex.Message, StringComparison.Ordinal);

        Write("prod.yml", "services:\n  web:\n    container_name: web\n    ports: ['9000:8000']\n");
        var stack = Load("compose.yml", "prod.yml");
        Assert.Equal(
            [
                $"{P("prod.yml")}:3:5: services.web.container_name: not honoured: Shoal names each replica itself (SERVICE-1, SERVICE-2, …)",
                $"{P("prod.yml")}:4:13: services.web.ports: host port 9000 is not published: Shoal serves the service through the gateway at http://127.0.0.1:8080 on its routes (x-shoal: {{ routes: [/api/**] }})",
            ],
            stack.Warnings.Select(w => w.ToString()));
    }

    [Fact]
    public void Include_MergesTheIncludedFile_WithPathsBesideIt()
    {
        Write("compose.yml", "include: [db/compose.yml]\nservices:\n  web:\n    command: [app]\n    depends_on: [db]\n");
        Write("db/compose.yml", "services:\n  db:\n    command: [db]\n    env_file: db.env\n");
        Write("db/db.env", "PGDATA=/tmp/pg\n");

        var stack = Load("compose.yml");

        Assert.Equal(["web", "db"], stack.Services.Select(s => s.Name).Order(StringComparer.Ordinal).Reverse());
        Assert.Equal("/tmp/pg", stack.FindService("db")!.Environment["PGDATA"]);
    }

    [Fact]
    public void Include_Cycle_IsALocatedError()
    {
        Write("compose.yml", "include: [a.yml]\nservices:\n  web: { command: [app] }\n");
        Write("a.yml", "include:\n  - compose.yml\n");

        var ex = Assert.Throws<ConfigFileException>(() => Load("compose.yml"));

        Assert.Equal($"{P("a.yml")}:2:5: include[0]: include cycle: compose.yml -> a.yml -> compose.yml", ex.Message);
    }

    [Fact]
    public void Include_ChainDeeperThanTheLimit_StopsWithALocatedError()
    {
        for (var i = 0; i < 40; i++)
        {
            Write($"c{i}.yml", $"include: [c{i + 1}.yml]\n");
        }

        Write("compose.yml", "include: [c0.yml]\nservices:\n  web: { command: [app] }\n");

        var ex = Assert.Throws<ConfigFileException>(() => Load("compose.yml"));

        Assert.Equal($"{P($"c{ComposeReader.MaxIncludeDepth - 2}.yml")}:1:11: include[0]: includes nest more than {ComposeReader.MaxIncludeDepth} deep: 'c{ComposeReader.MaxIncludeDepth - 1}.yml' is not read", ex.Message);
    }

    [Fact]
    public void Include_OfAMissingOrHugeFile_IsALocatedError()
    {
        Write("compose.yml", "include:\n  - missing.yml\n  - huge.yml\nservices:\n  web: { command: [app] }\n");
        Write("huge.yml", "x-pad: \"" + new string('a', (int)ComposeReader.MaxFileBytes) + "\"\n");

        var ex = Assert.Throws<ConfigFileException>(() => Load("compose.yml"));

        Assert.Contains($"{P("compose.yml")}:2:5: include: '{P("missing.yml")}': no such file", ex.Message, StringComparison.Ordinal);
        Assert.Contains($"{P("compose.yml")}:3:5: include: '{P("huge.yml")}': {ComposeReader.MaxFileBytes + 10} bytes: a Compose file may have at most {ComposeReader.MaxFileBytes}", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void EnvFile_EnvironmentWins_RequiredFalseMayBeMissing()
    {
        Write("common.env", "A=from-file\nB=from-file\n# comment\nC=\"quoted ${A}\"\n");
        Write("compose.yml", """
            services:
              web:
                command: [app]
                env_file:
                  - common.env
                  - path: ./local.env
                    required: false
                environment: { B: from-environment }
            """);

        var web = Load("compose.yml").Services.Single();

        Assert.Equal("from-file", web.Environment["A"]);
        Assert.Equal("from-environment", web.Environment["B"]);
        Assert.Equal("quoted from-file", web.Environment["C"]);
    }

    [Fact]
    public void EnvFile_MissingDirectoryOrEndless_IsALocatedError()
    {
        Directory.CreateDirectory(P("adir"));
        Write("compose.yml", """
            services:
              web:
                command: [app]
                env_file: [missing.env, adir, /dev/zero]
            """);

        var ex = Assert.Throws<ConfigFileException>(() => Load("compose.yml"));

        Assert.Equal(
            [
                $"{P("compose.yml")}:4:16: services.web.env_file[0]: no env file 'missing.env' (resolved to {Path.Combine(_directory, "missing.env")}); write 'required: false' if it may be missing",
                $"{P("compose.yml")}:4:29: services.web.env_file[1]: 'adir' is a directory, not an env file",
                $"{P("compose.yml")}:4:35: services.web.env_file[2]: '/dev/zero' is larger than {ComposeNormalizer.MaxEnvFileBytes} bytes: not an env file",
            ],
            ex.Errors.Select(e => e.ToString()));
    }
}
