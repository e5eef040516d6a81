namespace Shoal.FunctionalTests;

/// <summary>Stack file templates for the end-to-end tests (see <see cref="Testing.TestStack.Create"/> for the placeholders).</summary>
internal static class Stacks
{
    /// <summary>
    /// examples/<paramref name="name"/>/shoal.yml as shipped, made runnable in a test directory: its gateway and admin
    /// listeners on free ports, its <c>project: ../../</c> paths from the repository root, then <paramref name="replacements"/>.
    /// Each text replaced must still be in the file, so a changed example fails here rather than testing something else.
    /// </summary>
    public static string Example(string name, params (string From, string To)[] replacements)
    {
        var yaml = File.ReadAllText(Path.Combine(Testing.RepoPaths.Root, "examples", name, "shoal.yml"));
        (string From, string To)[] all =
        [
            ("listen: http://127.0.0.1:8080", "listen: %gateway%"),
            ("admin: http://127.0.0.1:9901", "admin: %admin%"),
            ("project: ../../", "project: %root%/"),
            .. replacements,
        ];
        foreach (var (from, to) in all)
        {
            yaml = yaml.Contains(from, StringComparison.Ordinal)
                ? yaml.Replace(from, to, StringComparison.Ordinal)
                : throw new InvalidOperationException($"examples/{name}/shoal.yml no longer contains '{from}': update the test that runs it.");
        }

        return yaml;
    }

    /// <summary>N replicas of the sample app behind the gateway, probed on /api/health.</summary>
    public static string SampleApp(int replicas = 2, IReadOnlyDictionary<string, string>? env = null)
    {
        var envLines = string.Concat((env ?? new Dictionary<string, string>()).Select(kv => $"\n      {kv.Key}: \"{kv.Value}\""));
        return $"""
            name: e2e
            gateway:
              listen: %gateway%
              admin: %admin%
            services:
              app:
                command: [dotnet, "%sample%"]
                replicas: {replicas}
                port: auto
                version: "1.0.0"
                health:
                  http: /api/health
                  interval: 500ms
                env:
                  LOG_LEVEL: warning{envLines}
                routes: ["/api/**"]
            """;
    }

    /// <summary>N replicas of the sample app with extra service settings (<paramref name="service"/>, indented under the service) and gateway settings.</summary>
    public static string WithSettings(int replicas, string service, string gateway = "")
    {
        static string Indent(string text, int spaces) =>
            string.Join("\n", text.Split('\n').Where(l => l.Length > 0).Select(l => new string(' ', spaces) + l));
        return $$"""
            name: e2e
            gateway:
              listen: %gateway%
              admin: %admin%
            {{Indent(gateway, 2)}}
            services:
              app:
                command: [dotnet, "%sample%"]
                replicas: {{replicas}}
                port: auto
                health: { http: /api/health, interval: 500ms }
                routes: ["/api/**"]
            {{Indent(service, 4)}}
            """;
    }
}
