namespace Shoal.Configuration;

/// <summary>A stack-wide section that listens on ports of its own, which no service may take.</summary>
public interface IClaimsPorts
{
    /// <summary>The ports, each with how a port-clash message names its owner.</summary>
    IEnumerable<PortClaim> ClaimedPorts { get; }
}
