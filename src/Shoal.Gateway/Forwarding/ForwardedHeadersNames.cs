namespace Shoal.Gateway.Forwarding;

/// <summary>The stack file's names for <see cref="ForwardedHeadersMode"/>.</summary>
internal static class ForwardedHeadersNames
{
    public static readonly IReadOnlyDictionary<string, ForwardedHeadersMode> All = new Dictionary<string, ForwardedHeadersMode>(StringComparer.Ordinal)
    {
        ["x-forwarded"] = ForwardedHeadersMode.XForwarded,
        ["forwarded"] = ForwardedHeadersMode.Forwarded,
        ["both"] = ForwardedHeadersMode.Both,
        ["none"] = ForwardedHeadersMode.None,
    };
}
