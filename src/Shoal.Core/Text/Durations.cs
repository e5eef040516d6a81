using System.Globalization;

namespace Shoal.Text;

/// <summary>Parses and prints durations such as <c>500ms</c>, <c>10s</c>, <c>1m30s</c>, <c>2h</c>.</summary>
public static class Durations
{
    // Below TimeSpan.MaxValue (~9.2e14 ms) with room for the rounding of a double: anything larger reads as MaxValue.
    private const double SaturationMilliseconds = 9e14;

    /// <summary>
    /// Parses a duration; a bare number is read as seconds. Never throws: text that is not a duration, negative, NaN or
    /// infinite fails; a finite value too large for a <see cref="TimeSpan"/> (<c>1e20</c>) reads as
    /// <see cref="TimeSpan.MaxValue"/>, so a caller's range check reports it with the largest allowed value.
    /// </summary>
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
            return FromMilliseconds(bareSeconds * 1000, out value);
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

        return FromMilliseconds(total, out value);
    }

    /// <summary>
    /// Parses a duration from <paramref name="min"/> to <paramref name="max"/>; otherwise <paramref name="error"/> says
    /// what is wrong with <paramref name="text"/> and what is allowed, e.g. <c>'60d' is out of range; allowed 100ms to 1d</c>.
    /// </summary>
    public static bool TryParse(string? text, TimeSpan min, TimeSpan max, out TimeSpan value, out string? error)
    {
        if (!TryParse(text, out value))
        {
            error = $"'{text}' is not a duration from {Format(min)} to {Format(max)} such as 500ms, 5s or 1m";
            return false;
        }

        if (value < min || value > max)
        {
            error = $"'{text}' is out of range; allowed {Format(min)} to {Format(max)}";
            return false;
        }

        error = null;
        return true;
    }

    /// <summary>Prints a duration compactly (<c>250ms</c>, <c>10s</c>, <c>1m30s</c>, <c>2h</c>, <c>7d</c>).</summary>
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

        if (value >= TimeSpan.FromDays(1) && value.Ticks % TimeSpan.TicksPerDay == 0)
        {
            return string.Create(CultureInfo.InvariantCulture, $"{value.Ticks / TimeSpan.TicksPerDay}d");
        }

        if (value >= TimeSpan.FromHours(1))
        {
            var hours = value.Ticks / TimeSpan.TicksPerHour;
            var rest = TimeSpan.FromTicks(value.Ticks % TimeSpan.TicksPerHour);
            return string.Create(CultureInfo.InvariantCulture, $"{hours}h") + (rest == TimeSpan.Zero ? string.Empty : Format(rest));
        }

        var minutes = (int)value.TotalMinutes;
        var seconds = value - TimeSpan.FromMinutes(minutes);
        return seconds == TimeSpan.Zero
            ? string.Create(CultureInfo.InvariantCulture, $"{minutes}m")
            : string.Create(CultureInfo.InvariantCulture, $"{minutes}m{seconds.TotalSeconds:0.###}s");
    }

    private static bool FromMilliseconds(double milliseconds, out TimeSpan value)
    {
        value = default;
        if (!double.IsFinite(milliseconds) || milliseconds < 0)
        {
            return false;
        }

        value = milliseconds >= SaturationMilliseconds ? TimeSpan.MaxValue : TimeSpan.FromMilliseconds(milliseconds);
        return true;
    }
}
