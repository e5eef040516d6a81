using System.Globalization;
using System.Net;

namespace Shoal.Processes.Networking;

/// <summary>
/// The bridge that joins isolated instances (<c>network: isolated</c>) to the host: one per daemon, named after its
/// pid (<c>shoal&lt;pid&gt;</c>), with the first free private /24 of 10.213.0.0/16; the host holds .1 and each instance
/// gets one of .2–.254 on its own veth pair. No iptables: the instances reach the host's addresses on the bridge
/// (not its loopback), and the host reaches them; nothing routes them further.
/// </summary>
/// <remarks>
/// The bridge exists while a lease is held and is deleted with the last one, so a stack that stops (<c>shoal down</c>)
/// leaves no link behind; a daemon that died leaves its bridge, which the next one to create a bridge deletes.
/// </remarks>
public sealed class BridgeNetwork
{
    private const string Prefix = "shoal";
    private const int FirstOctet = 10;
    private const int SecondOctet = 213;

    private readonly Lock _lock = new();
    private readonly bool[] _used = new bool[256];
    private int _leases;
    private int _subnet;

    /// <summary>Every address an isolated instance of any daemon on this machine may have (10.213.0.0/16).</summary>
    public static IPNetwork Range { get; } = new(IPAddress.Parse(string.Create(CultureInfo.InvariantCulture, $"{FirstOctet}.{SecondOctet}.0.0")), 16);

    /// <summary>The daemon's bridge.</summary>
    public static BridgeNetwork Shared { get; } = new(Prefix + Environment.ProcessId.ToString(CultureInfo.InvariantCulture));

    internal BridgeNetwork(string name) => Name = name;

    /// <summary>The bridge's interface name.</summary>
    public string Name { get; }

    /// <summary>Reserves an address for one instance, creating the bridge first when this is the only lease.</summary>
    /// <exception cref="ProcessStartException">The bridge cannot be made (not root, no <c>ip</c>) or every address is taken.</exception>
    public NetworkLease Acquire()
    {
        lock (_lock)
        {
            if (_leases == 0)
            {
                Create();
            }

            var host = Array.IndexOf(_used, false, 2, 253);
            if (host < 0)
            {
                if (_leases == 0)
                {
                    Delete();
                }

                throw new ProcessStartException($"network: isolated: all 253 addresses of {Subnet(0)}/24 are in use.");
            }

            _used[host] = true;
            _leases++;
            return new NetworkLease(this, Address(host), Address(1), $"shv{_subnet}-{host}");
        }
    }

    internal void Release(NetworkLease lease)
    {
        lock (_lock)
        {
            _used[lease.Address.GetAddressBytes()[3]] = false;
            if (--_leases == 0)
            {
                Delete();
            }
        }
    }

    private IPAddress Address(int host) => IPAddress.Parse(Subnet(host));

    private string Subnet(int host) => string.Create(CultureInfo.InvariantCulture, $"{FirstOctet}.{SecondOctet}.{_subnet}.{host}");

    private void Create()
    {
        RemoveLeftovers();
        var taken = IpTool.Run(IpTool.Ip, "-o", "-4", "addr", "show");
        for (var subnet = 1; subnet < 255; subnet++)
        {
            _subnet = subnet;
            if (taken.Contains($" {Subnet(0)[..^1]}", StringComparison.Ordinal))
            {
                continue;
            }

            IpTool.Batch($"link add {Name} type bridge", $"addr add {Subnet(1)}/24 dev {Name}", $"link set {Name} up");
            Array.Clear(_used);
            return;
        }

        throw new ProcessStartException($"network: isolated: no free /24 left in {FirstOctet}.{SecondOctet}.0.0/16.");
    }

    private void Delete() => IpTool.TryRun(IpTool.Ip, "link", "del", Name);

    // A bridge whose daemon is gone (killed, machine state kept) would hold its /24 for ever.
    private void RemoveLeftovers()
    {
        var links = IpTool.Run(IpTool.Ip, "-o", "link", "show", "type", "bridge");
        foreach (var line in links.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = line.Split(':', 3);
            if (parts.Length < 3)
            {
                continue;
            }

            var name = parts[1].Trim();
            if (name != Name && name.StartsWith(Prefix, StringComparison.Ordinal)
                && int.TryParse(name.AsSpan(Prefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var pid)
                && !Directory.Exists("/proc/" + pid.ToString(CultureInfo.InvariantCulture)))
            {
                IpTool.TryRun(IpTool.Ip, "link", "del", name);
            }
        }
    }
}
