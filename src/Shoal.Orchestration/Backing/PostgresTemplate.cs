using System.Globalization;
using Shoal.Files;
using Shoal.Orchestration.Stack;
using Shoal.Processes;

namespace Shoal.Orchestration.Backing;

/// <summary>
/// A <c>postgres:</c> service made runnable: the cluster initialised in its volume on first start, the databases and
/// roles its dependants get, and the service's command (<c>postgres</c> on 127.0.0.1, no Unix socket) and readiness
/// check (<c>pg_isready</c>, then the provisioning SQL through <c>psql</c>, once per change).
/// </summary>
internal static class PostgresTemplate
{
    public const string ProvisionFile = "shoal-provision.sql";

    private const string PasswordFile = "initdb-password";

    // What Shoal itself leaves in a volume whose initdb did not finish.
    private static readonly string[] s_ownFiles = [VolumeState.FileName, ProvisionFile, PasswordFile];

    /// <summary>The cluster's directory in the volume; Shoal's own files sit beside it.</summary>
    public const string DataDirectory = "data";

    // Healthy once the server answers and the provisioning SQL ran since it last changed (a copy marks it done).
    private const string ReadyScript =
        "\"$1/pg_isready\" -q -h 127.0.0.1 -p \"$PORT\" -d postgres || exit 1\n" +
        "cmp -s \"$2/shoal-provision.sql\" \"$2/shoal-provisioned.sql\" && exit 0\n" +
        "\"$1/psql\" -X -q -w -v ON_ERROR_STOP=1 -h 127.0.0.1 -p \"$PORT\" -d postgres -f \"$2/shoal-provision.sql\" && cp \"$2/shoal-provision.sql\" \"$2/shoal-provisioned.sql\"";

    // PostgreSQL refuses root, so a root daemon runs it (and initdb) as the postgres user (see VolumeUser).
    public static async Task<(ServiceDefinition Service, BackingEndpoint Endpoint)> PrepareAsync(
        StackDefinition stack, ServiceDefinition service, IReadOnlyList<string> dependants, string bin, ProcessUser? user, TimeProvider time, CancellationToken cancellationToken)
    {
        var definition = service.Backing!;
        var volume = Path.Combine(BackingVolumes.Root(stack.StateDirectory), definition.Volume);
        var seen = user is null ? volume : VolumeUser.MountPoint;
        var state = VolumeState.Read(volume);
        string password;
        if (!File.Exists(Path.Combine(volume, DataDirectory, "PG_VERSION")))
        {
            if (Directory.Exists(volume) && Directory.EnumerateFileSystemEntries(volume).Any(e => !s_ownFiles.Contains(Path.GetFileName(e), StringComparer.Ordinal)))
            {
                throw BackingServices.Error(stack, service, $"{volume} is not empty and holds no PostgreSQL cluster (no {DataDirectory}/PG_VERSION): move it away, or remove the volumes with 'shoal down --volumes'");
            }

            password = definition.Password ?? VolumeState.NewPassword();
            await InitializeAsync(stack, service, bin, volume, password, user, time, cancellationToken).ConfigureAwait(false);
            state = null;
        }
        else
        {
            password = definition.Password ?? state?.Password
                ?? throw BackingServices.Error(stack, service, $"the cluster in {volume} was not made by Shoal ({VolumeState.FileName} holds no password): give postgres: {{ password: … }} (its superuser's)");
        }

        var roles = new Dictionary<string, string>(state?.Roles ?? [], StringComparer.Ordinal);
        var logins = new Dictionary<string, PostgresLogin>(StringComparer.Ordinal);
        foreach (var dependant in dependants)
        {
            if (!definition.PerDependant)
            {
                logins[dependant] = new PostgresLogin(definition.User, password, definition.Databases[0]);
                continue;
            }

            var role = dependant.Replace('-', '_');
            if (role == definition.User)
            {
                throw BackingServices.Error(stack, service, $"the dependant '{dependant}' would get the role {role}, the superuser's: rename the service or give postgres: {{ user: … }}");
            }

            if (!roles.TryGetValue(role, out var secret))
            {
                roles[role] = secret = VolumeState.NewPassword();
            }

            logins[dependant] = new PostgresLogin(role, secret, role);
        }

        var port = BackingServices.PortFor(definition, state);
        new VolumeState { Port = port, Password = definition.Password is null ? password : null, Roles = roles }.Write(volume);
        PrivateFiles.WriteAllText(Path.Combine(volume, ProvisionFile), PostgresProvisioning.Sql(definition, logins.Values));

        List<string> argv =
        [
            Path.Combine(bin, "postgres"), "-D", Path.Combine(seen, DataDirectory), "-p", port.ToString(CultureInfo.InvariantCulture),
            "-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories=",
            .. definition.Settings.SelectMany(s => new[] { "-c", $"{s.Key}={s.Value}" }),
        ];
        var health = new HealthCheckDefinition
        {
            Kind = HealthCheckKind.Exec,
            Command = ["/bin/sh", "-c", ReadyScript, "shoal-ready", bin, volume],
            WorkingDirectory = stack.Directory,
            Environment = new Dictionary<string, string>(StringComparer.Ordinal) { ["PGUSER"] = definition.User, ["PGPASSWORD"] = password, ["PGCONNECT_TIMEOUT"] = "5" },
            Timeout = TimeSpan.FromSeconds(30),
        };
        var made = service with { Command = AsUser(argv, volume, user), Port = PortSpec.Of(port), Health = health, Replicas = Math.Min(service.Replicas, 1) };
        return (made, new BackingEndpoint(service.Name, BackingKind.Postgres, port, logins));
    }

    private static async Task InitializeAsync(StackDefinition stack, ServiceDefinition service, string bin, string volume, string password, ProcessUser? user, TimeProvider time, CancellationToken cancellationToken)
    {
        // initdb reads the password from a file (0600, in the private volume) removed right after: never in argv.
        var passwordFile = Path.Combine(volume, PasswordFile);
        PrivateFiles.CreateDirectory(volume);
        PrivateFiles.WriteAllText(passwordFile, password + "\n");
        try
        {
            if (user is not null)
            {
                await VolumeUser.ChownAsync(stack, service, user, recursive: false, [volume, passwordFile], time, cancellationToken).ConfigureAwait(false);
            }

            var seen = user is null ? volume : VolumeUser.MountPoint;
            List<string> initdb =
            [
                Path.Combine(bin, "initdb"), "-D", Path.Combine(seen, DataDirectory), "-U", service.Backing!.User, "--auth=scram-sha-256",
                "--pwfile=" + Path.Combine(seen, PasswordFile), "-E", "UTF8", "--no-locale",
            ];
            var (exit, error) = await BackingCommand.RunAsync(AsUser(initdb, volume, user), stack.Directory, time, cancellationToken).ConfigureAwait(false);
            if (exit != 0)
            {
                // A half-made cluster would be refused next time as "not empty": it holds no data yet, so it goes.
                if (Directory.Exists(Path.Combine(volume, DataDirectory)))
                {
                    Directory.Delete(Path.Combine(volume, DataDirectory), recursive: true);
                }

                throw BackingServices.Error(stack, service, $"initdb failed (exit {exit}): {error}");
            }
        }
        finally
        {
            File.Delete(passwordFile);
        }
    }

    private static List<string> AsUser(List<string> argv, string volume, ProcessUser? user) => VolumeUser.AsUser(argv, volume, user, "shoal-postgres");
}
