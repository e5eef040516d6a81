namespace Shoal.Catalog;

/// <summary>Orders ids with numeric suffixes naturally: <c>app-2</c> before <c>app-10</c>.</summary>
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

        var (xStem, xNumber) = Split(x);
        var (yStem, yNumber) = Split(y);
        var byStem = x.AsSpan(0, xStem).SequenceCompareTo(y.AsSpan(0, yStem));
        return byStem != 0 ? byStem : xNumber.CompareTo(yNumber);
    }

    /// <summary>The length of the id's stem and its numeric suffix (-1 when there is none); allocates nothing.</summary>
    private static (int StemLength, long Number) Split(string id)
    {
        var end = id.Length;
        while (end > 0 && char.IsAsciiDigit(id[end - 1]))
        {
            end--;
        }

        return end < id.Length && end > 0 && long.TryParse(id.AsSpan(end), out var n) ? (end, n) : (id.Length, -1);
    }
}
