using System.Globalization;
using Shoal.Configuration;

namespace Shoal.Delivery.Configuration;

/// <summary>Reads each service's <c>deploy:</c> section of the stack file: the defaults of its canaries, blue/green and rolling updates.</summary>
public sealed class DeploySectionReader : IStackSectionReader
{
    // 'resources' is Compose's deploy.resources.limits, which the stack loader reads as the service's limits.
    private static readonly string[] s_deployKeys = ["steps", "interval", "max_error_rate", "max_p99", "min_requests", "keep_old", "max_surge", "max_unavailable", "resources"];

    /// <inheritdoc />
    public IReadOnlyList<StackKey> TopLevelKeys { get; } = [];

    /// <inheritdoc />
    public IReadOnlyList<StackKey> ServiceKeys { get; } = [new("deploy")];

    /// <inheritdoc />
    public object? ReadStack(StackReadContext context) => null;

    /// <inheritdoc />
    public object? ReadService(ServiceReadContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return ReadDeploy(context.Fields);
    }

    /// <inheritdoc />
    public void Check(StackCheckContext context)
    {
    }

    private static DeploymentDefaults ReadDeploy(YamlFields f)
    {
        var d = f.GetMap("deploy", s_deployKeys);
        var defaults = new DeploymentDefaults();
        if (d is null)
        {
            return defaults;
        }

        var steps = new List<int>();
        foreach (var (node, text) in d.GetStringList("steps") ?? [])
        {
            if (int.TryParse(text.TrimEnd('%'), NumberStyles.None, CultureInfo.InvariantCulture, out var w) && w <= 100 && (steps.Count == 0 || w > steps[^1]))
            {
                steps.Add(w);
            }
            else
            {
                d.Errors.Add(node, d.FieldPath("steps"), $"'{text}' is not the next weight: steps are ascending percentages from 0 to 100");
            }
        }

        return new DeploymentDefaults
        {
            Steps = steps.Count > 0 ? steps : defaults.Steps,
            Interval = d.GetDuration("interval", TimeSpan.FromMilliseconds(100), TimeSpan.FromDays(1)) ?? defaults.Interval,
            MaxErrorRate = d.GetFraction("max_error_rate") ?? defaults.MaxErrorRate,
            MaxP99 = d.GetDuration("max_p99", TimeSpan.FromMilliseconds(1), TimeSpan.FromHours(1)),
            MinRequests = d.GetInt("min_requests", 0, 1_000_000) ?? defaults.MinRequests,
            KeepOld = d.GetDuration("keep_old", TimeSpan.Zero, TimeSpan.FromDays(7)) ?? defaults.KeepOld,
            MaxSurge = d.GetInt("max_surge", 0, 64) ?? defaults.MaxSurge,
            MaxUnavailable = d.GetInt("max_unavailable", 0, 64) ?? defaults.MaxUnavailable,
        };
    }
}
