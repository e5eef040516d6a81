namespace Shoal.Processes;

/// <summary>How an instance is isolated from the host and from the other instances (<c>runtime:</c> in the stack files).</summary>
public enum RuntimeKind
{
    /// <summary>A bare child process of the daemon (<c>process</c>): cgroup limits and an unprivileged user where given, nothing else.</summary>
    Process,

    /// <summary>bubblewrap (<c>sandbox</c>): own pid, mount, ipc and uts namespaces, read-only system directories, private /tmp.</summary>
    Sandbox,

    /// <summary>An OCI runtime, runc or crun (<c>oci</c>): a generated bundle over a root file system from a directory, an OCI layout or a tarball.</summary>
    Oci,

    /// <summary>A running Docker engine (<c>docker</c>): an image by name, pulled by the engine.</summary>
    Docker,
}
