using System.Globalization;

namespace Shoal.Orchestration.Lifecycle;

/// <summary>How logs and <c>ps</c> write a number of bytes: in binary units, as limits are given (<c>256 MiB</c>, <c>1.5 GiB</c>).</summary>
public static class MemorySize
{
    private static readonly string[] s_units = ["B", "KiB", "MiB", "GiB", "TiB"];

    /// <summary>Formats <paramref name="bytes"/> with up to one decimal (none when whole): <c>256 MiB</c>, <c>1.5 GiB</c>, <c>512 B</c>.</summary>
    public static string Format(long bytes)
    {
        double value = bytes;
        var unit = 0;
        while (Math.Abs(value) >= 1024 && unit < s_units.Length - 1)
        {
            value /= 1024;
            unit++;
        }

        var rounded = Math.Round(value, value >= 100 ? 0 : 1);
        return rounded.ToString(rounded == Math.Floor(rounded) ? "0" : "0.0", CultureInfo.InvariantCulture) + " " + s_units[unit];
    }
}
