using System.Net;

namespace Shoal.Processes.Networking;

/// <summary>
/// One isolated instance's place on the bridge: its address, the host's address on the bridge, and the name of the
/// host's end of its veth pair. The caller that needs the address before the instance starts (a service's URL, a
/// function's Runtime API on the host side) takes the lease and hands it to the runtime in <see cref="IsolationOptions.Lease"/>.
/// </summary>
public sealed class NetworkLease : IDisposable
{
    private readonly BridgeNetwork _bridge;
    private int _disposed;

    internal NetworkLease(BridgeNetwork bridge, IPAddress address, IPAddress hostAddress, string hostLink)
    {
        _bridge = bridge;
        Address = address;
        HostAddress = hostAddress;
        HostLink = hostLink;
    }

    /// <summary>The instance's address, on its <c>eth0</c>: where the gateway reaches it.</summary>
    public IPAddress Address { get; }

    /// <summary>The host's address on the bridge: the one host address the instance can reach (its gateway).</summary>
    public IPAddress HostAddress { get; }

    /// <summary>The host's end of the instance's veth pair.</summary>
    public string HostLink { get; }

    /// <summary>
    /// A shell script that gives the network namespace of the process whose pid is <c>$1</c> (or, without an argument,
    /// the <c>"pid"</c> of the OCI state JSON on stdin: a runc hook) its end of the veth pair, this lease's address,
    /// loopback and a default route to the host.
    /// </summary>
    public string AttachScript()
    {
        var inside = $"{IpTool.Ip} addr add {Address}/24 dev eth0 && {IpTool.Ip} link set eth0 up && {IpTool.Ip} link set lo up && {IpTool.Ip} route add default via {HostAddress}";
        return "pid=${1:-$(sed -n 's/.*\"pid\": *\\([0-9]*\\).*/\\1/p')}; "
            + $"{IpTool.Ip} link del {HostLink} 2>/dev/null; "
            + $"{IpTool.Ip} link add {HostLink} type veth peer name eth0 netns \"$pid\" && {IpTool.Ip} link set {HostLink} master {_bridge.Name} up && "
            + $"{IpTool.Nsenter} -t \"$pid\" -n sh -c '{inside}'";
    }

    /// <summary>Attaches the network namespace of <paramref name="pid"/> (see <see cref="AttachScript"/>).</summary>
    /// <exception cref="ProcessStartException">ip or nsenter failed.</exception>
    public void Attach(int pid) => IpTool.Run("/bin/sh", "-c", AttachScript(), "sh", pid.ToString(System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>Gives the address back; the veth pair goes with the instance's namespace, or here if that still lives.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            IpTool.TryRun(IpTool.Ip, "link", "del", HostLink);
            _bridge.Release(this);
        }
    }
}
