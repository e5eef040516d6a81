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
}
