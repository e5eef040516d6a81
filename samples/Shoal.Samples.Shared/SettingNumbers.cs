using System.Globalization;
using Microsoft.Extensions.Configuration;

namespace Shoal.Samples.Shared;

/// <summary>Whole-number settings the samples read from their environment.</summary>
public static class SettingNumbers
{
    /// <summary>The setting <paramref name="key"/> as a non-negative whole number, or <paramref name="fallback"/> when it is unset or not one.</summary>
    public static int Read(IConfiguration configuration, string key, int fallback) =>
        int.TryParse(configuration[key], NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value : fallback;
}
