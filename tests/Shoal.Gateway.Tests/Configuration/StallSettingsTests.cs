using Shoal.Configuration;
using Shoal.Gateway.Configuration;
using Shoal.Testing.Configuration;

namespace Shoal.Gateway.Tests.Configuration;

public sealed class StallSettingsTests
{
    private static ResilienceSettings Parse(string yaml) => SectionReaderHarness.Read(new GatewaySectionReader(), yaml).Service<ServiceRouting>("app").Resilience;

    private static string ErrorOf(string yaml) => Assert.Throws<ConfigFileException>(() => Parse(yaml)).Message;

    private static ResilienceSettings Resilience(string line) => Parse($"services:\n  app:\n    command: [x]\n    {line}\n");

    [Fact]
    public void Parse_Defaults_AutoEverythingAndOn()
    {
        var r = Resilience("port: auto");

        Assert.Null(r.AttemptTimeout);
        Assert.Equal(new HedgingSettings { Enabled = true, Delay = null, MaxAttempts = 2 }, r.Hedging);
        Assert.Equal(new StallDetectionSettings { Enabled = true, Threshold = null, Multiplier = 4, MinThreshold = TimeSpan.FromMilliseconds(500), SlowRatio = 5, ProbeInterval = TimeSpan.FromMilliseconds(500) }, r.StallDetection);
    }

    [Fact]
    public void Parse_EverySetting_IsRead()
    {
        var r = Parse("""
            services:
              app:
                command: [x]
                resilience:
                  timeout: 10s
                  attempt_timeout: 2s
                  hedging: { enabled: true, delay: 50ms, max_attempts: 3 }
                  stall_detection: { enabled: true, threshold: 300ms, multiplier: 8, min_threshold: 100ms, slow_ratio: 10, probe_interval: 250ms }
            """);

        Assert.Equal(TimeSpan.FromSeconds(2), r.AttemptTimeout);
        Assert.Equal(new HedgingSettings { Enabled = true, Delay = TimeSpan.FromMilliseconds(50), MaxAttempts = 3 }, r.Hedging);
        Assert.Equal(new StallDetectionSettings { Threshold = TimeSpan.FromMilliseconds(300), Multiplier = 8, MinThreshold = TimeSpan.FromMilliseconds(100), SlowRatio = 10, ProbeInterval = TimeSpan.FromMilliseconds(250) }, r.StallDetection);
    }

    [Fact]
    public void Parse_AutoAndOff_AreRead()
    {
        var r = Resilience("resilience: { attempt_timeout: auto, hedging: { enabled: false, delay: auto }, stall_detection: { enabled: false, threshold: auto, slow_ratio: 0 } }");

        Assert.Null(r.AttemptTimeout);
        Assert.False(r.Hedging.Enabled);
        Assert.Null(r.Hedging.Delay);
        Assert.False(r.StallDetection.Enabled);
        Assert.Null(r.StallDetection.Threshold);
        Assert.Equal(0, r.StallDetection.SlowRatio);
    }

    [Theory]
    [InlineData("resilience: { timeout: 1s, attempt_timeout: 2s }", "shoal.yml:4:49: services.app.resilience.attempt_timeout: must be at most 'timeout' (the ceiling of every attempt)")]
    [InlineData("resilience: { attempt_timeout: soon }", "shoal.yml:4:36: services.app.resilience.attempt_timeout: expected a duration such as 500ms, 5s or 1m, got 'soon'")]
    [InlineData("resilience: { hedging: { max_attempts: 9 } }", "shoal.yml:4:44: services.app.resilience.hedging.max_attempts: 9 is out of range; allowed 2 to 5")]
    [InlineData("resilience: { hedging: { enabled: yes } }", "shoal.yml:4:39: services.app.resilience.hedging.enabled: expected true or false, got 'yes'")]
    [InlineData("resilience: { hedging: { delay: 0s } }", "shoal.yml:4:37: services.app.resilience.hedging.delay: 0s is out of range; allowed 1ms to 10m")]
    [InlineData("resilience: { stall_detection: { slow_ratio: 0.5 } }", "shoal.yml:4:50: services.app.resilience.stall_detection.slow_ratio: must be 0 (off) or at least 1 (a multiple of the peers' median)")]
    [InlineData("resilience: { stall_detection: { multiplier: 0 } }", "shoal.yml:4:50: services.app.resilience.stall_detection.multiplier: 0 is out of range; allowed 1 to 1000")]
    [InlineData("resilience: { stall_detection: { treshold: 1s } }", "shoal.yml:4:38: services.app.resilience.stall_detection.treshold: unknown field 'treshold' (did you mean 'threshold'?)")]
    [InlineData("resilience: { hedging: on }", "shoal.yml:4:28: services.app.resilience.hedging: expected a mapping of fields, got 'on'")]
    public void Parse_BadStallSettings_NamesLineAndField(string line, string expected)
    {
        Assert.Equal(expected, ErrorOf($"services:\n  app:\n    command: [x]\n    {line}\n"));
    }
}
