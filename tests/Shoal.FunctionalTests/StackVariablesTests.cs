using Shoal.Testing;

namespace Shoal.FunctionalTests;

/// <summary><c>${…}</c> in the stack file through the real <c>./shoal</c>: the environment over <c>.env</c> or <c>--env-file</c>, defaults, warnings.</summary>
[Collection(TimedCollection.Name)]
public sealed class StackVariablesTests
{
    private static readonly TimeSpan s_wait = TimeSpan.FromSeconds(30);

    private const string Template = """
        name: vars
        gateway: { listen: %gateway%, admin: %admin% }
        services:
          dump:
            command: [bash, -c, "env > $SHOAL_DATA_DIR/env-$SHOAL_INSTANCE_ID; exec sleep 1000"]
            env:
              FROM_DOTENV: ${VARS_FROM_DOTENV}
              FROM_SHELL: ${VARS_BOTH:-unset}
              FROM_DEFAULT: ${VARS_MISSING:-the-default}
              LITERAL: "$${NOT_EXPANDED}"
              EMPTY: ${VARS_NEVER_SET}
        """;

    [Fact]
    public async Task Up_TakesTheShellOverDotEnv_AppliesDefaults_AndWarnsOfTheUnsetOnce()
    {
        await using var stack = TestStack.Create(Template);
        await File.WriteAllTextAsync(Path.Combine(stack.Directory, ".env"), "VARS_FROM_DOTENV=from-dotenv\nVARS_BOTH=from-dotenv\n");

        var up = await stack.ShoalAsync(new Dictionary<string, string> { ["VARS_BOTH"] = "from-shell" }, "up", "-d");

        Assert.True(up.ExitCode == 0, up.ToString());
        Assert.Single(up.Stderr.Split('\n'), l => l.StartsWith("warning: ", StringComparison.Ordinal));
        Assert.Contains("shoal.yml:11:", up.Stderr, StringComparison.Ordinal);
        Assert.Contains("services.dump.env.EMPTY: the variable VARS_NEVER_SET is not set", up.Stderr, StringComparison.Ordinal);
        var env = await ReplicaEnvironmentAsync(stack);
        Assert.Equal("from-dotenv", env["FROM_DOTENV"]);
        Assert.Equal("from-shell", env["FROM_SHELL"]);
        Assert.Equal("the-default", env["FROM_DEFAULT"]);
        Assert.Equal("${NOT_EXPANDED}", env["LITERAL"]);
        Assert.Equal("", env["EMPTY"]);
    }

    [Fact]
    public async Task Validate_NamesTheLineOfARequiredVariable_AndEnvFileSuppliesIt()
    {
        await using var stack = TestStack.Create(Template.Replace("${VARS_NEVER_SET}", "${VARS_REQUIRED:?set it in prod.env}", StringComparison.Ordinal));

        var refused = await stack.ShoalAsync("validate");
        Assert.NotEqual(0, refused.ExitCode);
        Assert.Contains("shoal.yml:11:", refused.Stderr, StringComparison.Ordinal);
        Assert.Contains("services.dump.env.EMPTY: VARS_REQUIRED: set it in prod.env", refused.Stderr, StringComparison.Ordinal);

        var envFile = Path.Combine(stack.Directory, "prod.env");
        await File.WriteAllTextAsync(envFile, "VARS_REQUIRED=present\nVARS_FROM_DOTENV=x\n");
        var valid = await stack.ShoalAsync("validate", "--env-file", envFile);
        Assert.True(valid.ExitCode == 0, valid.ToString());
        Assert.DoesNotContain("warning:", valid.Stderr, StringComparison.Ordinal);

        var missing = await stack.ShoalAsync("validate", "--env-file", Path.Combine(stack.Directory, "nope.env"));
        Assert.NotEqual(0, missing.ExitCode);
        Assert.Contains("no such env file", missing.Stderr, StringComparison.Ordinal);
    }

    private static async Task<Dictionary<string, string>> ReplicaEnvironmentAsync(TestStack stack)
    {
        var file = Path.Combine(stack.Directory, ".shoal", "data", "dump", "env-dump-1");
        await Poll.UntilAsync(() => File.Exists(file) && File.ReadAllText(file).Contains("SHOAL_INSTANCE_ID", StringComparison.Ordinal), s_wait, "the replica to dump its environment");
        return File.ReadAllLines(file).Select(l => l.Split('=', 2)).Where(p => p.Length == 2).ToDictionary(p => p[0], p => p[1], StringComparer.Ordinal);
    }
}
