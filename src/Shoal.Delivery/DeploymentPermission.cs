using Shoal.Http;

namespace Shoal.Delivery;

/// <summary>
/// What a deployment may run, by who asks. The admin token lets a caller roll out a new version of what the stack
/// file names — its command, and new values for the variables the file sets for the service — but not a program of
/// its own: that (a <c>command</c> the file does not name, or a variable the file does not set, such as
/// <c>LD_PRELOAD</c> or <c>NODE_OPTIONS</c>) needs the operator: the operator token, or the owner on the Unix socket.
/// </summary>
public static class DeploymentPermission
{
    /// <summary>Null when <paramref name="role"/> may run <paramref name="request"/>, else why not (for a 403's detail).</summary>
    /// <param name="role">The caller's role.</param>
    /// <param name="service">What the stack file lets the service run.</param>
    /// <param name="request">The deployment asked for.</param>
    public static string? Refusal(AdminRole role, DeclaredService service, DeploymentRequest request)
    {
        ArgumentNullException.ThrowIfNull(service);
        ArgumentNullException.ThrowIfNull(request);
        if (role == AdminRole.Operator)
        {
            return null;
        }

        if (request.Command is { } asked && !asked.SequenceEqual(service.Command, StringComparer.Ordinal))
        {
            return $"'command' is not the one the stack file names for service '{service.Name}'; running another program needs the operator token ({AdminAuthentication.OperatorTokenVariable} or gateway.operator_token) or the owner's Unix socket (.shoal/admin.sock).";
        }

        var foreign = request.Environment.Keys.Where(k => !service.Variables.Contains(k)).Order(StringComparer.Ordinal).ToList();
        return foreign.Count == 0
            ? null
            : $"env: {string.Join(", ", foreign)} {(foreign.Count == 1 ? "is" : "are")} not set for service '{service.Name}' in the stack file; the admin token may change the values of the variables the file sets, and adding others needs the operator token or the owner's Unix socket.";
    }
}
