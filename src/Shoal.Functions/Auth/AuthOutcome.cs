namespace Shoal.Functions.Auth;

/// <summary>What a function route's authentication decided about a request.</summary>
public enum AuthOutcome
{
    /// <summary>The caller may invoke the function.</summary>
    Allowed,

    /// <summary>No credential, or one that could not be verified: answer 401.</summary>
    Unauthenticated,

    /// <summary>A credential that is well-formed but not accepted (an unknown API key): answer 403.</summary>
    Forbidden,
}
