namespace Shoal.Http;

/// <summary>What an extra authenticator (<see cref="AdminAccessOptions.Authenticators"/>) made of a request.</summary>
public sealed record AdminAuthenticationResult
{
    /// <summary>The request carries none of this authenticator's credentials: the bearer token decides.</summary>
    public static AdminAuthenticationResult NotApplicable { get; } = new();

    /// <summary>The role proved, when the credentials checked out.</summary>
    public AdminRole? Role { get; init; }

    /// <summary>The status of the refusal when they did not (401 or 403).</summary>
    public int Status { get; init; }

    /// <summary>Why they were refused, for the problem's <c>detail</c>.</summary>
    public string? Detail { get; init; }

    /// <summary>True when the request carried this authenticator's credentials.</summary>
    public bool Applies => Role is not null || Status != 0;

    /// <summary>Credentials that checked out.</summary>
    public static AdminAuthenticationResult Success(AdminRole role) => new() { Role = role };

    /// <summary>Credentials that did not.</summary>
    public static AdminAuthenticationResult Fail(int status, string detail) => new() { Status = status, Detail = detail };
}
