using System.Globalization;
using Shoal.Configuration;
using YamlDotNet.RepresentationModel;

namespace Shoal.Orchestration.Stack.Compose;

/// <summary><c>healthcheck</c>, <c>restart</c>, <c>deploy</c> and <c>depends_on</c> in Shoal's words.</summary>
internal sealed partial class ComposeNormalizer
{
    private static readonly string[] s_healthKeys = ["test", "interval", "timeout", "retries", "start_period", "start_interval", "disable"];
    private static readonly string[] s_restartPolicyKeys = ["condition", "delay", "max_attempts", "window"];

    private static readonly Dictionary<string, string> s_conditions = new(StringComparer.Ordinal)
    {
        ["service_started"] = "started",
        ["service_healthy"] = "healthy",
        ["service_completed_successfully"] = "completed",
    };

    // test: [CMD, pg_isready] runs that argv; [CMD-SHELL, "…"] or a string runs through sh -c; [NONE] or disable: true is none.
    // start_period needs nothing: Shoal never counts a failure before a replica's first pass.
    private void Health(YamlMappingNode result, YamlMappingNode service, string path)
    {
        if (Get(service, "healthcheck") is not { } node)
        {
            return;
        }

        var field = $"{path}.healthcheck";
        if (node is not YamlMappingNode map)
        {
            _errors.Add(node, field, $"expected a mapping with test, interval, timeout, retries, got {YamlFields.Describe(node)}");
            return;
        }

        var f = new YamlFields(map, field, _errors, s_healthKeys);
        var key = KeyOf(service, "healthcheck")!;
        var test = f.Get("test");
        if (f.GetBool("disable") == true || test is YamlSequenceNode { Children: [YamlScalarNode { Value: "NONE" }, ..] })
        {
            Put(result, "health", Text("none", key), key);
            return;
        }

        var health = Made(new YamlMappingNode(), map);
        switch (test)
        {
            case null:
                break;
            case YamlScalarNode { Value: { Length: > 0 } }:
                Put(health, "exec", test, test);
                break;
            case YamlSequenceNode { Children: [YamlScalarNode { Value: "CMD-SHELL" }, YamlScalarNode line] }:
                Put(health, "exec", line, test);
                break;
            case YamlSequenceNode { Children: [YamlScalarNode { Value: "CMD" }, _, ..] } argv:
                var command = Made(new YamlSequenceNode(), argv);
                foreach (var item in argv.Children.Skip(1))
                {
                    command.Add(item);
                }

                Put(health, "exec", command, test);
                break;
            default:
                _errors.Add(test, f.FieldPath("test"), "expected [\"CMD\", program, args…], [\"CMD-SHELL\", \"command line\"], [\"NONE\"] or a command line");
                break;
        }

        foreach (var (from, to) in new[] { ("interval", "interval"), ("timeout", "timeout"), ("start_interval", "start_interval"), ("retries", "unhealthy_threshold") })
        {
            if (f.Get(from) is { } value)
            {
                Put(health, to, value, f.KeyNode(from)!);
            }
        }

        if (health.Children.Count > 0)
        {
            Put(result, "health", health, key);
        }
    }

    // no → never, always and unless-stopped → always, on-failure[:N] → on-failure with at most N restarts.
    private void Restart(YamlMappingNode result, YamlMappingNode service, string path)
    {
        if (Get(service, "restart") is YamlScalarNode { Value: { } text } node)
        {
            var parts = text.Split(':', 2);
            switch (parts[0])
            {
                case "no":
                    Put(result, "restart", Text("never", node), node);
                    break;
                case "always" or "unless-stopped":
                    Put(result, "restart", Text("always", node), node);
                    break;
                case "on-failure" when parts.Length == 1:
                    Put(result, "restart", Text("on-failure", node), node);
                    break;
                case "on-failure" when int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var max):
                    var policy = Made(new YamlMappingNode(), node);
                    Put(policy, "policy", Text("on-failure", node), node);
                    Put(policy, "max_restarts", Text(max.ToString(CultureInfo.InvariantCulture), node), node);
                    Put(result, "restart", policy, node);
                    break;
                default:
                    _errors.Add(node, $"{path}.restart", $"'{YamlFields.Printable(text)}' is not a restart policy: no, always, on-failure[:N] or unless-stopped");
                    break;
            }
        }
        else if (Get(service, "restart") is { } other)
        {
            _errors.Add(other, $"{path}.restart", $"expected no, always, on-failure[:N] or unless-stopped, got {YamlFields.Describe(other)}");
        }
    }

    // Compose's deploy: replicas (read with ports), resources.limits, restart_policy; Shoal's delivery keys are under x-shoal.deploy.
    private void Deploy(YamlMappingNode result, YamlMappingNode service, string path)
    {
        var resources = Made(new YamlMappingNode(), service);
        foreach (var (from, to) in new[] { ("mem_limit", "memory"), ("cpus", "cpus"), ("pids_limit", "pids") })
        {
            if (Get(service, from) is { } value)
            {
                Put(resources, to, value, KeyOf(service, from)!);
            }
        }

        if (Get(service, "deploy") is YamlMappingNode deploy)
        {
            var f = new YamlFields(deploy, $"{path}.deploy", _errors, ComposeKeys.Deploy);
            if (f.GetMap("resources", "limits", "reservations") is { } r)
            {
                if (r.Get("limits") is YamlMappingNode limits)
                {
                    foreach (var (key, value) in limits.Children)
                    {
                        Put(resources, key, value);
                    }
                }

                if (r.KeyNode("reservations") is { } reservations)
                {
                    _errors.Warn(reservations, r.FieldPath("reservations"), "not honoured: Shoal enforces limits, not reservations");
                }
            }

            if (f.GetMap("restart_policy", s_restartPolicyKeys) is { } rp)
            {
                var policy = Made(new YamlMappingNode(), rp.Node);
                if (rp.GetString("condition") is { } condition)
                {
                    Put(policy, "policy", Text(condition switch { "none" => "never", "any" => "always", _ => condition }, rp.Get("condition")!), rp.KeyNode("condition")!);
                }

                foreach (var (from, to) in new[] { ("delay", "backoff"), ("max_attempts", "max_restarts"), ("window", "window") })
                {
                    if (rp.Get(from) is { } value)
                    {
                        Put(policy, to, value, rp.KeyNode(from)!);
                    }
                }

                Put(result, "restart", policy, f.KeyNode("restart_policy")!);
            }

            foreach (var key in new[] { "labels", "placement", "update_config", "rollback_config", "endpoint_mode" })
            {
                if (f.KeyNode(key) is { } at)
                {
                    _errors.Warn(at, f.FieldPath(key), key is "update_config" or "rollback_config"
                        ? $"not honoured: Shoal's rolling updates and canaries are set under {ComposeKeys.Shoal}: {{ deploy: {{ max_surge, max_unavailable, steps }} }}"
                        : "not honoured: Shoal runs every replica on this host");
                }
            }

            if (f.GetString("mode") is "global")
            {
                _errors.Warn(f.Get("mode")!, f.FieldPath("mode"), "not honoured: Shoal runs on one host, so global means one replica");
            }
        }
        else if (Get(service, "deploy") is { } other && !YamlFields.IsNull(other))
        {
            _errors.Add(other, $"{path}.deploy", $"expected a mapping (replicas, resources, restart_policy), got {YamlFields.Describe(other)}");
        }

        if (resources.Children.Count > 0)
        {
            Put(result, "resources", resources, KeyOf(service, "deploy") ?? service);
        }
    }

    private YamlNode Dependencies(YamlNode node, string field)
    {
        if (node is not YamlMappingNode map)
        {
            return node;
        }

        var result = Made(new YamlMappingNode(), map);
        foreach (var (key, value) in map.Children)
        {
            var name = (key as YamlScalarNode)?.Value ?? string.Empty;
            if (value is not YamlMappingNode options)
            {
                result.Children.Add(key, value);
                continue;
            }

            var f = new YamlFields(options, $"{field}.{name}", _errors, "condition", "restart", "required");
            var condition = Made(new YamlMappingNode(), options);
            if (f.Get("condition") is YamlScalarNode { Value: { } c } cnode)
            {
                if (!s_conditions.TryGetValue(c, out var shoal))
                {
                    _errors.Add(cnode, f.FieldPath("condition"), $"unknown condition '{YamlFields.Printable(c)}'{StackFileLoader.Hint(c, [.. s_conditions.Keys])}; allowed: {string.Join(", ", s_conditions.Keys)}");
                    shoal = "started";
                }

                Put(condition, "condition", Text(shoal, cnode), f.KeyNode("condition")!);
            }

            foreach (var ignored in new[] { "restart", "required" }.Where(k => f.KeyNode(k) is not null))
            {
                _errors.Warn(f.KeyNode(ignored)!, f.FieldPath(ignored), ignored == "restart"
                    ? $"not honoured: Shoal does not restart this service when '{name}' restarts"
                    : $"not honoured: '{name}' must be a service of the stack");
            }

            result.Children.Add(key, condition);
        }

        return result;
    }
}
