using Shoal.Configuration;
using Shoal.Orchestration.Stack;

namespace Shoal.Orchestration.Tests.Stack;

/// <summary>The stack file's <c>${…}</c>: the environment over <c>.env</c>, located errors and warnings, Shoal's own variables kept.</summary>
public sealed class StackVariablesTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("shoal-vars-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static StackDefinition Parse(string yaml, Dictionary<string, string> environment) =>
        StackFileLoader.Parse(yaml, "/stacks/demo/shoal.yml", "shoal.yml", [], new FileVariables(n => environment.GetValueOrDefault(n), new Dictionary<string, string>()));

    [Fact]
    public void Variables_ReachEveryTextField_AndPerReplicaOnesWaitForTheReplica()
    {
        var stack = Parse("""
            services:
              app:
                command: [app, --port, "${PORT}", --db, "${DATABASE_URL}"]
                replicas: ${REPLICAS:-2}
                port: auto
                env:
                  DATABASE_URL: ${DATABASE_URL}
                  MODE: ${MODE:-fast}
                  LITERAL: "$${NOT_A_VARIABLE}"
            """, new() { ["DATABASE_URL"] = "postgres://db/app" });

        var app = stack.Services.Single();
        Assert.Equal(2, app.Replicas);
        Assert.Equal("postgres://db/app", app.Environment["DATABASE_URL"]);
        Assert.Equal("fast", app.Environment["MODE"]);
        Assert.Equal("${NOT_A_VARIABLE}", app.Environment["LITERAL"]);
        Assert.Contains("${PORT}", app.Command!);
        Assert.Contains("postgres://db/app", app.Command!);
        Assert.Empty(stack.Warnings);
    }

    [Fact]
    public void UnsetVariable_IsAWarning_NamingLineAndField()
    {
        var stack = Parse("""
            services:
              app:
                command: [app]
                env:
                  TOKEN: ${API_TOKEN}
            """, []);

        var warning = Assert.Single(stack.Warnings);
        Assert.Equal((5, "services.app.env.TOKEN"), (warning.Line, warning.Field));
        Assert.Contains("API_TOKEN is not set", warning.Message, StringComparison.Ordinal);
        Assert.Equal("", stack.Services.Single().Environment["TOKEN"]);
    }

    [Fact]
    public void RequiredVariable_Unset_IsAnError_NamingLineAndField()
    {
        var ex = Assert.Throws<ConfigFileException>(() => Parse("""
            services:
              app:
                command: [app]
                env:
                  DATABASE_URL: ${DATABASE_URL:?set it in .env}
            """, []));

        var error = Assert.Single(ex.Errors);
        Assert.Equal((5, "services.app.env.DATABASE_URL", "DATABASE_URL: set it in .env"), (error.Line, error.Field, error.Message));
    }

    [Fact]
    public void DotEnv_BesideTheFile_IsRead_AndTheEnvironmentWins()
    {
        var file = Path.Combine(_directory, "shoal.yml");
        File.WriteAllText(file, """
            services:
              app:
                command: [app]
                env: { A: "${FROM_FILE}", B: "${SHOAL_TEST_BOTH}" }
            """);
        File.WriteAllText(Path.Combine(_directory, ".env"), "FROM_FILE=dotenv\nSHOAL_TEST_BOTH=dotenv\n");
        var shell = new Dictionary<string, string> { ["SHOAL_TEST_BOTH"] = "shell" };

        var variables = FileVariables.ForFile(file, envFile: null, n => shell.GetValueOrDefault(n));
        var stack = StackFileLoader.Parse(File.ReadAllText(file), file, "shoal.yml", [], variables);

        Assert.Equal("dotenv", stack.Services.Single().Environment["A"]);
        Assert.Equal("shell", stack.Services.Single().Environment["B"]);
    }

    [Fact]
    public void EnvFileOption_ReplacesDotEnv_AndMustExist()
    {
        var file = Path.Combine(_directory, "shoal.yml");
        File.WriteAllText(file, "services:\n  app:\n    command: [app]\n    env: { A: \"${A}\" }\n");
        File.WriteAllText(Path.Combine(_directory, ".env"), "A=dotenv\n");
        var other = Path.Combine(_directory, "prod.env");
        File.WriteAllText(other, "A=prod\n");

        Assert.Equal("prod", StackFileLoader.Load(file, [], other).Services.Single().Environment["A"]);
        var missing = Assert.Throws<ConfigFileException>(() => StackFileLoader.Load(file, [], Path.Combine(_directory, "nope.env")));
        Assert.Contains("no such env file", missing.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MalformedDotEnv_NamesItsLine()
    {
        var file = Path.Combine(_directory, "shoal.yml");
        File.WriteAllText(file, "services:\n  app:\n    command: [app]\n");
        File.WriteAllText(Path.Combine(_directory, ".env"), "GOOD=1\nthis is not a variable\n");

        var ex = Assert.Throws<ConfigFileException>(() => StackFileLoader.Load(file, []));

        Assert.Equal(2, Assert.Single(ex.Errors).Line);
        Assert.EndsWith(".env", ex.Errors[0].File, StringComparison.Ordinal);
    }

    [Fact]
    public void Alias_IsReplacedOnce()
    {
        // Both services share one node through the alias: replaced twice, "$${CURRENCY}" would become "${CURRENCY}" and then "".
        var stack = Parse("""
            services:
              a: { command: [a], env: &env { PRICE: "$${CURRENCY} ${UNIT:-5}" } }
              b: { command: [b], env: *env }
            """, []);

        Assert.All(stack.Services, s => Assert.Equal("${CURRENCY} 5", s.Environment["PRICE"]));
    }
}
