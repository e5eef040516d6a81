namespace Shoal.Catalog;

/// <summary>
/// Orders ids with numeric suffixes naturally: <c>app-2</c> before <c>app-10</c>; an owner after '@'
/// (<c>app-2@shop.web-01</c>) orders by the id first, then by owner.
/// </summary>
public sealed class InstanceIdComparer : IComparer<string>
{
    /// <summary>The shared instance.</summary>
    public static InstanceIdComparer Instance { get; } = new();

    /// <inheritdoc />
    public int Compare(string? x, string? y)
    {
        if (x is null || y is null)
        {
            return string.CompareOrdinal(x, y);
        }

        var (xStem, xNumber) = Split(x.AsSpan(0, LocalLength(x)));
        var (yStem, yNumber) = Split(y.AsSpan(0, LocalLength(y)));
        var byStem = x.AsSpan(0, xStem).SequenceCompareTo(y.AsSpan(0, yStem));
        if (byStem != 0)
        {
            return byStem;
        }

        var byNumber = xNumber.CompareTo(yNumber);
        return byNumber != 0 ? byNumber : string.CompareOrdinal(x, y);
    }

    /// <summary>The length of the id before its owner ('@'), or all of it.</summary>
    private static int LocalLength(string id)
    {
        var at = id.IndexOf('@', StringComparison.Ordinal);
        return at < 0 ? id.Length : at;
    }

    /// <summary>The length of the id's stem and its numeric suffix (-1 when there is none); allocates nothing.</summary>
    private static (int StemLength, long Number) Split(ReadOnlySpan<char> id)
    {
        var end = id.Length;
        while (end > 0 && char.IsAsciiDigit(id[end - 1]))
        {
            end--;
        }

        return end < id.Length && end > 0 && long.TryParse(id[end..], out var n) ? (end, n) : (id.Length, -1);
    }
}
