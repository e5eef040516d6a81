namespace Shoal.Orchestration.Stack;

/// <summary>The <c>port:</c> of a service: none, a free port per replica, or one fixed port.</summary>
public readonly record struct PortSpec(PortKind Kind, int Fixed)
{
    /// <summary>The service listens on no port.</summary>
    public static readonly PortSpec None = new(PortKind.None, 0);

    /// <summary>A free port per replica.</summary>
    public static readonly PortSpec Auto = new(PortKind.Auto, 0);

    /// <summary>One fixed port (one replica only).</summary>
    public static PortSpec Of(int port) => new(PortKind.Fixed, port);

    /// <inheritdoc />
    public override string ToString() => Kind switch
    {
        PortKind.Auto => "auto",
        PortKind.Fixed => Fixed.ToString(System.Globalization.CultureInfo.InvariantCulture),
        _ => "none",
    };
}
