using Shoal.Configuration;

namespace Shoal.Gateway.Configuration;

/// <summary>A service's <c>resilience:</c>: timeout, retries, circuit breaker, outliers, bulkhead, slow start.</summary>
public sealed partial class GatewaySectionReader
{
    private static readonly string[] s_resilienceKeys = ["timeout", "attempt_timeout", "retries", "circuit_breaker", "outliers", "bulkhead", "slow_start", "hedging", "stall_detection"];
    private static readonly string[] s_retryKeys = ["max_attempts", "backoff", "max_backoff", "budget", "min_retries_per_second"];
    private static readonly string[] s_breakerKeys = ["consecutive_failures", "failure_ratio", "minimum_requests", "window", "break_duration"];
    private static readonly string[] s_outlierKeys = ["consecutive_failures", "ejection_time", "max_ejection_percent"];
    private static readonly string[] s_bulkheadKeys = ["max_concurrent", "max_concurrent_per_instance", "queue_size", "queue_timeout"];

    private static ResilienceSettings ReadResilience(YamlFields f)
    {
        var r = f.GetMap("resilience", s_resilienceKeys);
        if (r is null)
        {
            return ResilienceSettings.Default;
        }

        var d = ResilienceSettings.Default;
        var retry = r.GetMap("retries", s_retryKeys);
        var breaker = r.GetMap("circuit_breaker", s_breakerKeys);
        var outliers = r.GetMap("outliers", s_outlierKeys);
        var bulkhead = r.GetMap("bulkhead", s_bulkheadKeys);
        var settings = new ResilienceSettings
        {
            Timeout = r.GetDuration("timeout", TimeSpan.FromMilliseconds(10), TimeSpan.FromHours(1)) ?? d.Timeout,
            SlowStart = r.GetDuration("slow_start", TimeSpan.Zero, TimeSpan.FromHours(1)) ?? d.SlowStart,
            Retries = retry is null ? d.Retries : new RetrySettings
            {
                MaxAttempts = retry.GetInt("max_attempts", 1, 10) ?? d.Retries.MaxAttempts,
                Backoff = retry.GetDuration("backoff", TimeSpan.Zero, TimeSpan.FromMinutes(1)) ?? d.Retries.Backoff,
                MaxBackoff = retry.GetDuration("max_backoff", TimeSpan.Zero, TimeSpan.FromMinutes(5)) ?? d.Retries.MaxBackoff,
                Budget = retry.GetFraction("budget") ?? d.Retries.Budget,
                MinRetriesPerSecond = retry.GetInt("min_retries_per_second", 0, 100_000) ?? d.Retries.MinRetriesPerSecond,
            },
            CircuitBreaker = breaker is null ? d.CircuitBreaker : new CircuitBreakerSettings
            {
                ConsecutiveFailures = breaker.GetInt("consecutive_failures", 0, 10_000) ?? d.CircuitBreaker.ConsecutiveFailures,
                FailureRatio = breaker.GetFraction("failure_ratio") ?? d.CircuitBreaker.FailureRatio,
                MinimumRequests = breaker.GetInt("minimum_requests", 1, 1_000_000) ?? d.CircuitBreaker.MinimumRequests,
                Window = breaker.GetDuration("window", TimeSpan.FromMilliseconds(100), TimeSpan.FromHours(1)) ?? d.CircuitBreaker.Window,
                BreakDuration = breaker.GetDuration("break_duration", TimeSpan.FromMilliseconds(10), TimeSpan.FromHours(1)) ?? d.CircuitBreaker.BreakDuration,
            },
            Outliers = outliers is null ? d.Outliers : new OutlierSettings
            {
                ConsecutiveFailures = outliers.GetInt("consecutive_failures", 0, 10_000) ?? d.Outliers.ConsecutiveFailures,
                EjectionTime = outliers.GetDuration("ejection_time", TimeSpan.FromMilliseconds(10), TimeSpan.FromHours(1)) ?? d.Outliers.EjectionTime,
                MaxEjectionPercent = outliers.GetInt("max_ejection_percent", 0, 100) ?? d.Outliers.MaxEjectionPercent,
            },
            Bulkhead = bulkhead is null ? d.Bulkhead : new BulkheadSettings
            {
                MaxConcurrent = bulkhead.GetInt("max_concurrent", 0, 1_000_000) ?? 0,
                MaxConcurrentPerInstance = bulkhead.GetInt("max_concurrent_per_instance", 0, 1_000_000) ?? 0,
                QueueSize = bulkhead.GetInt("queue_size", 0, 1_000_000) ?? 0,
                QueueTimeout = bulkhead.GetDuration("queue_timeout", TimeSpan.Zero, TimeSpan.FromMinutes(10)) ?? d.Bulkhead.QueueTimeout,
            },
        };
        settings = ReadStallSettings(r, settings);
        if (retry is not null && settings.Retries.MaxBackoff < settings.Retries.Backoff)
        {
            retry.Errors.Add(retry.Get("max_backoff") ?? retry.Node, retry.FieldPath("max_backoff"), "must be at least 'backoff'");
        }

        if (bulkhead is not null && settings.Bulkhead.QueueSize > 0 && settings.Bulkhead.MaxConcurrent == 0)
        {
            bulkhead.Errors.Add(bulkhead.Get("queue_size")!, bulkhead.FieldPath("queue_size"), "a queue needs 'max_concurrent' (the limit it queues behind)");
        }

        return settings;
    }
}
