namespace Shoal.Orchestration.Stack.Compose;

/// <summary>The Compose keys Shoal reads, and those it reads but cannot honour, each with the reason it gives once.</summary>
internal static class ComposeKeys
{
    /// <summary>The key under which a Compose file carries Shoal's own settings (Docker Compose ignores <c>x-</c> keys).</summary>
    public const string Shoal = "x-shoal";

    /// <summary>Service keys turned into Shoal's.</summary>
    public static readonly string[] Service =
    [
        "build", "image", "command", "entrypoint", "environment", "env_file", "ports", "expose", "depends_on", "healthcheck",
        "restart", "deploy", "working_dir", "volumes", "profiles", "user", "stop_grace_period", "scale", "mem_limit", "cpus",
        "pids_limit",
    ];

    /// <summary>Top-level keys read (besides <c>x-…</c>).</summary>
    public static readonly string[] TopLevel = ["name", "services", "include", "version", "volumes", "networks", "configs", "secrets"];

    /// <summary>Keys of <c>deploy:</c> read.</summary>
    public static readonly string[] Deploy = ["replicas", "resources", "restart_policy", "labels", "mode", "update_config", "rollback_config", "placement", "endpoint_mode"];

    private const string OwnNetwork = "services share the host's network and reach each other through the gateway";
    private const string NoContainer = "the service runs as a process, not in a container Shoal configures this way";

    /// <summary>Service keys Shoal cannot honour, with why: each is one warning, never silently dropped.</summary>
    public static readonly IReadOnlyDictionary<string, string> Unsupported = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["container_name"] = "Shoal names each replica itself (SERVICE-1, SERVICE-2, …)",
        ["hostname"] = OwnNetwork,
        ["domainname"] = OwnNetwork,
        ["networks"] = OwnNetwork,
        ["network_mode"] = OwnNetwork + " (x-shoal: { network: isolated } cuts a sandbox off)",
        ["links"] = OwnNetwork,
        ["external_links"] = OwnNetwork,
        ["extra_hosts"] = OwnNetwork,
        ["dns"] = OwnNetwork,
        ["dns_search"] = OwnNetwork,
        ["dns_opt"] = OwnNetwork,
        ["mac_address"] = OwnNetwork,
        ["labels"] = "Shoal has no container labels; registry metadata goes under x-shoal: { metadata: … }",
        ["annotations"] = "Shoal has no container annotations; registry metadata goes under x-shoal: { metadata: … }",
        ["cap_add"] = "no capability is granted: runtime sandbox and oci drop them all, runtime process runs as Shoal's user",
        ["cap_drop"] = "runtime sandbox and oci drop every capability already (x-shoal: { runtime: sandbox })",
        ["privileged"] = NoContainer,
        ["security_opt"] = NoContainer,
        ["userns_mode"] = NoContainer,
        ["cgroup_parent"] = "Shoal places each replica in its own cgroup under the daemon's",
        ["cgroup"] = "Shoal places each replica in its own cgroup under the daemon's",
        ["logging"] = "Shoal keeps each replica's output in .shoal/logs ('shoal logs' shows it)",
        ["ulimits"] = NoContainer,
        ["sysctls"] = NoContainer,
        ["tty"] = "a replica's output goes to its log, not a terminal",
        ["stdin_open"] = "a replica's standard input is closed",
        ["init"] = "Shoal starts each replica in its own process group and reaps it",
        ["ipc"] = NoContainer,
        ["pid"] = NoContainer,
        ["uts"] = NoContainer,
        ["isolation"] = NoContainer,
        ["platform"] = "the command runs on this host's platform",
        ["pull_policy"] = "Shoal pulls no image; runtime docker leaves pulling to the engine",
        ["devices"] = NoContainer,
        ["device_cgroup_rules"] = NoContainer,
        ["gpus"] = NoContainer,
        ["tmpfs"] = NoContainer,
        ["shm_size"] = NoContainer,
        ["read_only"] = "runtime sandbox mounts the host read-only already (x-shoal: { runtime: sandbox })",
        ["stop_signal"] = "Shoal stops a replica with SIGTERM, then SIGKILL after stop_grace_period",
        ["secrets"] = "Shoal mounts no secrets: pass them through environment or env_file",
        ["configs"] = "Shoal mounts no configs: the command reads its files from the host",
        ["volumes_from"] = "volumes are not mounted (see 'volumes')",
        ["group_add"] = NoContainer,
        ["oom_score_adj"] = NoContainer,
        ["oom_kill_disable"] = NoContainer,
        ["storage_opt"] = NoContainer,
        ["mem_reservation"] = "Shoal enforces limits, not reservations (deploy.resources.limits)",
        ["mem_swappiness"] = NoContainer,
        ["memswap_limit"] = NoContainer,
        ["cpu_shares"] = "Shoal limits CPU with cpus (deploy.resources.limits.cpus)",
        ["cpu_quota"] = "Shoal limits CPU with cpus (deploy.resources.limits.cpus)",
        ["cpu_period"] = "Shoal limits CPU with cpus (deploy.resources.limits.cpus)",
        ["cpu_count"] = "Shoal limits CPU with cpus (deploy.resources.limits.cpus)",
        ["cpu_percent"] = "Shoal limits CPU with cpus (deploy.resources.limits.cpus)",
        ["cpu_rt_runtime"] = NoContainer,
        ["cpu_rt_period"] = NoContainer,
        ["cpuset"] = NoContainer,
        ["blkio_config"] = NoContainer,
        ["credential_spec"] = NoContainer,
        ["runtime"] = "Compose's runtime names an OCI runtime; Shoal's runtime goes under x-shoal: { runtime: process | sandbox | oci | docker }",
        ["label_file"] = "Shoal has no container labels",
        ["attach"] = "every replica's output goes to its log ('shoal logs')",
        ["develop"] = "Shoal has no watch mode",
        ["post_start"] = "Shoal runs no lifecycle hooks",
        ["pre_stop"] = "Shoal runs no lifecycle hooks",
        ["extends"] = "write the service's keys in full, or share them with an x- anchor and <<: *name",
        ["models"] = "Shoal runs no models",
        ["provider"] = "Shoal runs no providers",
        ["use_api_socket"] = NoContainer,
    };
}
