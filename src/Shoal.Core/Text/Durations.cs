using System.Globalization;

namespace Shoal.Text;

/// <summary>Parses and prints durations such as <c>500ms</c>, <c>10s</c>, <c>1m30s</c>, <c>2h</c>.</summary>
public static class Durations
{
    /// <summary>Parses a duration; a bare number is read as seconds.</summary>
    public static bool TryParse(string? text, out TimeSpan value)
    {
        value = default;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        var s = text.Trim();
        if (double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var bareSeconds))
        {
            value = TimeSpan.FromSeconds(bareSeconds);
            return bareSeconds >= 0;
        }

        var total = 0.0;
        var i = 0;
        while (i < s.Length)
        {
            var start = i;
            while (i < s.Length && (char.IsAsciiDigit(s[i]) || s[i] == '.'))
            {
                i++;
            }

            if (start == i || !double.TryParse(s.AsSpan(start, i - start), NumberStyles.Float, CultureInfo.InvariantCulture, out var number))
            {
                return false;
            }

            var unitStart = i;
            while (i < s.Length && char.IsAsciiLetter(s[i]))
            {
                i++;
            }

            double? scale = s.AsSpan(unitStart, i - unitStart) switch
            {
                "us" or "µs" => 0.001,
                "ms" => 1,
                "s" => 1000,
                "m" => 60_000,
                "h" => 3_600_000,
                "d" => 86_400_000,
                _ => null,
            };
            if (scale is null)
            {
                return false;
            }

            total += number * scale.Value;
        }

        value = TimeSpan.FromMilliseconds(total);
        return true;
    }

    /// <summary>Prints a duration compactly (<c>250ms</c>, <c>10s</c>, <c>1m30s</c>).</summary>
    public static string Format(TimeSpan value)
    {
        if (value < TimeSpan.FromSeconds(1))
        {
            return string.Create(CultureInfo.InvariantCulture, $"{value.TotalMilliseconds:0.###}ms");
        }

        if (value < TimeSpan.FromMinutes(1))
        {
            return string.Create(CultureInfo.InvariantCulture, $"{value.TotalSeconds:0.###}s");
        }

        var minutes = (int)value.TotalMinutes;
        var seconds = value - TimeSpan.FromMinutes(minutes);
        return seconds == TimeSpan.Zero
            ? string.Create(CultureInfo.InvariantCulture, $"{minutes}m")
            : string.Create(CultureInfo.InvariantCulture, $"{minutes}m{seconds.TotalSeconds:0.###}s");
    }
}
