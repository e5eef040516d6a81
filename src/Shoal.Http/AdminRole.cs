namespace Shoal.Http;

/// <summary>What an admin API caller may do, from the credentials it proved.</summary>
public enum AdminRole
{
    /// <summary>No credentials: <c>/healthz</c> only (and <c>/metrics</c> with <c>gateway.metrics_public: true</c>).</summary>
    Anonymous,

    /// <summary>A verified SigV4 signature: the Lambda Invoke API only.</summary>
    Invoker,

    /// <summary>The admin token: every endpoint, but deployments and scaling run only commands the stack file names.</summary>
    Admin,

    /// <summary>The operator token, or the owner on the Unix socket: everything, including commands the stack file does not name.</summary>
    Operator,
}
