using System.Globalization;
using Microsoft.Extensions.Primitives;

namespace Shoal.Gateway.Limits;

/// <summary>
/// Recognises a request that is going round in circles: one whose <c>Via</c> (RFC 9110 §7.6.3) already names this
/// gateway came back to it, and one that has passed more Shoal gateways (<c>x-shoal-hops</c>) than allowed is in a loop
/// of gateways that do not know one another.
/// </summary>
internal static class HopCheck
{
    /// <summary>The count of Shoal gateways a request has passed.</summary>
    public const string HopsHeader = "x-shoal-hops";

    /// <summary>Why the request must not go on, or null when it may; <paramref name="hops"/> is how many gateways it has passed.</summary>
    public static string? Refusal(StringValues via, StringValues hopsHeader, string self, int maxHops, out int hops)
    {
        hops = Hops(hopsHeader);
        if (Names(via, self))
        {
            return $"The request came back to this gateway ({self} is already in its Via header): an instance of the service routes to a gateway that routes back here.";
        }

        return hops >= maxHops
            ? $"The request has passed {hops} Shoal gateways, the limit is {maxHops}: the gateways forward it in a loop."
            : null;
    }

    /// <summary>The highest hop count the request carries; a missing or garbled one counts as none.</summary>
    public static int Hops(StringValues header)
    {
        var hops = 0;
        foreach (var value in header)
        {
            if (int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > hops)
            {
                hops = n;
            }
        }

        return hops;
    }

    /// <summary>Whether one of the Via entries (<c>1.1 name</c>, comma-separated, possibly over several lines) was added by <paramref name="self"/>.</summary>
    public static bool Names(StringValues via, string self)
    {
        foreach (var line in via)
        {
            if (line is null || !line.Contains(self, StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            foreach (var entry in line.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            {
                // received-protocol received-by [comment]
                var parts = entry.Split(' ', 3, StringSplitOptions.RemoveEmptyEntries);
                if (parts.Length >= 2 && string.Equals(parts[1], self, StringComparison.OrdinalIgnoreCase))
                {
                    return true;
                }
            }
        }

        return false;
    }
}
