using Shoal.Configuration;
using YamlDotNet.RepresentationModel;

namespace Shoal.Orchestration.Stack;

/// <summary>A service's health check and restart policy.</summary>
public static partial class StackFileLoader
{
    private static HealthCheckDefinition ReadHealth(YamlFields f, PortSpec port)
    {
        var defaults = new HealthCheckDefinition { Kind = port.Kind == PortKind.None ? HealthCheckKind.Process : HealthCheckKind.Tcp };
        var node = f.Get("health");
        if (node is YamlScalarNode { Value: { } shorthand })
        {
            // health: /api/health is short for health: { http: /api/health }.
            if (shorthand == "none")
            {
                return defaults with { Kind = HealthCheckKind.Process };
            }

            if (!shorthand.StartsWith('/'))
            {
                f.Errors.Add(node, f.FieldPath("health"), $"expected an HTTP path such as /health, 'none', or a mapping, got '{shorthand}'");
                return defaults;
            }

            RequirePort(f, port, node);
            return defaults with { Kind = HealthCheckKind.Http, Path = shorthand };
        }

        var h = f.GetMap("health", s_healthKeys);
        if (h is null)
        {
            return defaults;
        }

        var result = defaults;
        var http = h.GetString("http");
        var tcp = h.GetBool("tcp");
        var exec = ReadExec(h);
        if ((http is not null ? 1 : 0) + (tcp == true ? 1 : 0) + (exec is not null ? 1 : 0) > 1)
        {
            h.Errors.Add(h.Node, h.Path, "give one of 'http', 'tcp' or 'exec'");
        }

        if (exec is not null)
        {
            result = result with { Kind = HealthCheckKind.Exec, Command = exec };
        }
        else if (http is not null)
        {
            if (!http.StartsWith('/'))
            {
                h.Errors.Add(h.Get("http")!, h.FieldPath("http"), $"expected an absolute path such as /api/health, got '{http}'");
            }

            RequirePort(f, port, h.Node);
            result = result with { Kind = HealthCheckKind.Http, Path = http };
        }
        else if (tcp == true)
        {
            RequirePort(f, port, h.Node);
            result = result with { Kind = HealthCheckKind.Tcp };
        }

        var interval = h.GetDuration("interval", TimeSpan.FromMilliseconds(10), TimeSpan.FromHours(1));
        return result with
        {
            Interval = interval ?? result.Interval,
            StartInterval = h.GetDuration("start_interval", TimeSpan.FromMilliseconds(10), TimeSpan.FromHours(1)) ?? Min(result.StartInterval, interval ?? result.StartInterval),
            Timeout = h.GetDuration("timeout", TimeSpan.FromMilliseconds(10), TimeSpan.FromMinutes(5)) ?? result.Timeout,
            HealthyThreshold = h.GetInt("healthy_threshold", 1, 100) ?? result.HealthyThreshold,
            UnhealthyThreshold = h.GetInt("unhealthy_threshold", 1, 100) ?? result.UnhealthyThreshold,
        };

        static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;
    }

    // exec: [pg_isready, -q] runs that argv; exec: "curl -f localhost:$PORT" runs through sh -c, as Compose's CMD-SHELL.
    private static List<string>? ReadExec(YamlFields h)
    {
        switch (h.Get("exec"))
        {
            case null:
                return null;
            case YamlScalarNode { Value: { Length: > 0 } text } when !text.Contains('\0', StringComparison.Ordinal):
                return ["sh", "-c", text];
            case YamlSequenceNode when h.GetStringList("exec") is { Count: > 0 } items && items.All(i => !i.Value.Contains('\0', StringComparison.Ordinal)):
                return items.Select(i => i.Value).ToList();
            case var node:
                h.Errors.Add(node, h.FieldPath("exec"), $"expected the command as a list (e.g. [pg_isready, -q]) or a shell line, got {YamlFields.Describe(node)}");
                return null;
        }
    }

    private static void RequirePort(YamlFields f, PortSpec port, YamlNode at)
    {
        if (port.Kind == PortKind.None)
        {
            f.Errors.Add(at, f.FieldPath("health"), "an http or tcp health check needs a 'port' to probe");
        }
    }

    private static RestartPolicyDefinition ReadRestart(YamlFields f)
    {
        var node = f.Get("restart");
        if (node is null)
        {
            return new RestartPolicyDefinition();
        }

        if (node is YamlScalarNode)
        {
            return new RestartPolicyDefinition { Mode = f.GetEnum("restart", s_restartModes) ?? RestartMode.Always };
        }

        var r = f.GetMap("restart", s_restartKeys);
        if (r is null)
        {
            return new RestartPolicyDefinition();
        }

        var defaults = new RestartPolicyDefinition();
        var policy = new RestartPolicyDefinition
        {
            Mode = r.GetEnum("policy", s_restartModes) ?? defaults.Mode,
            Backoff = r.GetDuration("backoff", TimeSpan.Zero, TimeSpan.FromMinutes(10)) ?? defaults.Backoff,
            MaxBackoff = r.GetDuration("max_backoff", TimeSpan.Zero, TimeSpan.FromHours(1)) ?? defaults.MaxBackoff,
            MaxRestarts = r.GetInt("max_restarts", 0, 10_000) ?? defaults.MaxRestarts,
            Window = r.GetDuration("window", TimeSpan.FromSeconds(1), TimeSpan.FromDays(1)) ?? defaults.Window,
        };
        if (policy.MaxBackoff < policy.Backoff)
        {
            r.Errors.Add(r.Get("max_backoff") ?? r.Node, r.FieldPath("max_backoff"), "must be at least 'backoff'");
        }

        return policy;
    }
}
