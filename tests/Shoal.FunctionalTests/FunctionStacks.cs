using Shoal.Testing;

namespace Shoal.FunctionalTests;

/// <summary>Stacks of functions for the end-to-end tests: a shoal.yml with functions.yml and routing.yml next to it.</summary>
internal static class FunctionStacks
{
    /// <summary>The C# sample function's directory and command.</summary>
    public static string CSharpDirectory => Path.Combine(RepoPaths.Root, "artifacts", "bin", "Shoal.Samples.Function", RepoPaths.Configuration);

    public static string CSharp(string name, string extra = "") => $$"""
          {{name}}:
            command: [dotnet, Shoal.Samples.Function.dll]
            code: {{CSharpDirectory}}
            memory: 256
        {{Indent(extra, 4)}}
        """;

    public static string Node(string name, string extra = "") => $$"""
          {{name}}:
            command: [node, bootstrap.js]
            handler: index.handler
            code: {{Path.Combine(RepoPaths.Root, "samples", "functions", "node")}}
        {{Indent(extra, 4)}}
        """;

    /// <summary>The unmodified bash + curl bootstrap, with a handler file from <paramref name="code"/> or the sample's.</summary>
    public static string Bash(string name, string? code = null, string extra = "") => $$"""
          {{name}}:
            command: [bash, bootstrap]
            handler: function.handler
            code: {{code ?? Path.Combine(RepoPaths.Root, "samples", "functions", "bash")}}
        {{Indent(extra, 4)}}
        """;

    /// <summary>Writes the three files and runs <c>./shoal up -d</c>.</summary>
    public static async Task<TestStack> StartAsync(string functions, string routing, string? agent = null, string? adminToken = null, (string Id, string Secret)? invokeCredentials = null)
    {
        var credentials = invokeCredentials is { } c ? $"\n  invoke_credentials: {{ access_key_id: {c.Id}, secret_access_key: {c.Secret} }}" : "";
        var stack = TestStack.Create($$"""
            name: fn
            gateway:
              listen: %gateway%
              admin: %admin%{{(adminToken is null ? "" : "\n  admin_token: " + adminToken)}}
            functions:
              janitor_interval: 200ms{{(agent is null ? "" : "\n  agent: " + agent)}}{{credentials}}
            """);
        return await UpAsync(stack, functions, routing);
    }

    /// <summary>Writes functions.yml and routing.yml next to <paramref name="stack"/>'s file and runs <c>./shoal up -d</c>; on failure disposes it and throws with the daemon's log.</summary>
    public static async Task<TestStack> UpAsync(TestStack stack, string functions, string routing)
    {
        await File.WriteAllTextAsync(Path.Combine(stack.Directory, "functions.yml"), "functions:\n" + functions);
        await File.WriteAllTextAsync(Path.Combine(stack.Directory, "routing.yml"), routing);
        var up = await stack.ShoalAsync("up", "-d");
        if (up.ExitCode != 0)
        {
            var log = Path.Combine(stack.Directory, ".shoal", "shoal.log");
            var text = File.Exists(log) ? await File.ReadAllTextAsync(log) : "";
            await stack.DisposeAsync();
            throw new InvalidOperationException($"shoal up -d failed: {up}\n{text}");
        }

        return stack;
    }

    /// <summary>The agent's instance records (<c>.shoal/agent/instances.json</c>): id to pid.</summary>
    public static IReadOnlyDictionary<string, int> AgentRecords(TestStack stack)
    {
        var path = Path.Combine(stack.Directory, ".shoal", "agent", "instances.json");
        if (!File.Exists(path))
        {
            return new Dictionary<string, int>();
        }

        using var doc = System.Text.Json.JsonDocument.Parse(File.ReadAllText(path));
        return doc.RootElement.EnumerateArray().ToDictionary(e => e.GetProperty("id").GetString()!, e => e.GetProperty("pid").GetInt32());
    }

    private static string Indent(string text, int spaces) =>
        string.Join("\n", text.Split('\n').Where(l => l.Trim().Length > 0).Select(l => new string(' ', spaces) + l));
}
