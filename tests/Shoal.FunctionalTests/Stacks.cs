namespace Shoal.FunctionalTests;

/// <summary>Stack file templates for the end-to-end tests (see <see cref="Testing.TestStack.Create"/> for the placeholders).</summary>
internal static class Stacks
{
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
