using Shoal.Configuration;
using YamlDotNet.RepresentationModel;

namespace Shoal.Gateway.Configuration;

/// <summary>The stall-related resilience settings: per-attempt timeout, hedging, stall detection.</summary>
public sealed partial class GatewaySectionReader
{
    private static readonly string[] s_hedgingKeys = ["enabled", "delay", "max_attempts"];
    private static readonly string[] s_stallKeys = ["enabled", "threshold", "multiplier", "min_threshold", "slow_ratio", "probe_interval"];

    private static ResilienceSettings ReadStallSettings(YamlFields r, ResilienceSettings settings)
    {
        var d = ResilienceSettings.Default;
        var hedging = r.GetMap("hedging", s_hedgingKeys);
        var stalls = r.GetMap("stall_detection", s_stallKeys);
        settings = settings with
        {
            AttemptTimeout = GetAutoDuration(r, "attempt_timeout", TimeSpan.FromMilliseconds(10), TimeSpan.FromHours(1)),
            Hedging = hedging is null ? d.Hedging : new HedgingSettings
            {
                Enabled = hedging.GetBool("enabled") ?? d.Hedging.Enabled,
                Delay = GetAutoDuration(hedging, "delay", TimeSpan.FromMilliseconds(1), TimeSpan.FromMinutes(10)),
                MaxAttempts = hedging.GetInt("max_attempts", 2, 5) ?? d.Hedging.MaxAttempts,
            },
            StallDetection = stalls is null ? d.StallDetection : new StallDetectionSettings
            {
                Enabled = stalls.GetBool("enabled") ?? d.StallDetection.Enabled,
                Threshold = GetAutoDuration(stalls, "threshold", TimeSpan.FromMilliseconds(10), TimeSpan.FromHours(1)),
                Multiplier = stalls.GetDouble("multiplier", 1, 1000) ?? d.StallDetection.Multiplier,
                MinThreshold = stalls.GetDuration("min_threshold", TimeSpan.FromMilliseconds(10), TimeSpan.FromHours(1)) ?? d.StallDetection.MinThreshold,
                SlowRatio = stalls.GetDouble("slow_ratio", 0, 1000) ?? d.StallDetection.SlowRatio,
                ProbeInterval = stalls.GetDuration("probe_interval", TimeSpan.FromMilliseconds(10), TimeSpan.FromMinutes(10)) ?? d.StallDetection.ProbeInterval,
            },
        };

        if (settings.AttemptTimeout > settings.Timeout)
        {
            r.Errors.Add(r.Get("attempt_timeout")!, r.FieldPath("attempt_timeout"), "must be at most 'timeout' (the ceiling of every attempt)");
        }

        if (stalls is not null && settings.StallDetection.SlowRatio is > 0 and < 1)
        {
            stalls.Errors.Add(stalls.Get("slow_ratio")!, stalls.FieldPath("slow_ratio"), "must be 0 (off) or at least 1 (a multiple of the peers' median)");
        }

        return settings;
    }

    /// <summary>A duration within a range, or null for <c>auto</c> or when absent.</summary>
    private static TimeSpan? GetAutoDuration(YamlFields f, string key, TimeSpan min, TimeSpan max) =>
        f.Get(key) is YamlScalarNode { Value: "auto" } ? null : f.GetDuration(key, min, max);
}
