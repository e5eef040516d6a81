using System.Globalization;

namespace Shoal.Text;

/// <summary>Sizes as configuration files write them: <c>512</c>, <c>100MB</c>, <c>256M</c>, <c>512Mi</c>, <c>1GiB</c>.</summary>
public static class ByteSizes
{
    /// <summary>
    /// Parses <c>N</c> or <c>NB</c> (bytes), or N with K, M, G or T, optionally followed by <c>i</c> and/or <c>B</c>
    /// (each a power of 1024, as Docker and Kubernetes count memory); case-insensitive, blanks allowed before the unit.
    /// Too large a number reads as <see cref="long.MaxValue"/>, so a caller's range check can say so.
    /// </summary>
    public static bool TryParse(string text, out long bytes)
    {
        ArgumentNullException.ThrowIfNull(text);
        bytes = 0;
        text = text.Trim();
        var end = 0;
        while (end < text.Length && char.IsAsciiDigit(text[end]))
        {
            end++;
        }

        var shift = text[end..].TrimStart().ToUpperInvariant() switch
        {
            "" or "B" => 0,
            "K" or "KB" or "KI" or "KIB" => 10,
            "M" or "MB" or "MI" or "MIB" => 20,
            "G" or "GB" or "GI" or "GIB" => 30,
            "T" or "TB" or "TI" or "TIB" => 40,
            _ => -1,
        };
        if (end == 0 || shift < 0)
        {
            return false;
        }

        var fits = long.TryParse(text.AsSpan(0, end), NumberStyles.None, CultureInfo.InvariantCulture, out var number) && number <= long.MaxValue >> shift;
        bytes = fits ? number << shift : long.MaxValue;
        return true;
    }
}
