namespace Shoal.Functions.Configuration;

/// <summary>An access key the Invoke API checks SigV4 signatures against.</summary>
/// <param name="AccessKeyId">The access key id callers sign with.</param>
/// <param name="SecretAccessKey">Its secret.</param>
public sealed record InvokeCredentials(string AccessKeyId, string SecretAccessKey)
{
    /// <summary>Keeps the secret out of logs and exception messages.</summary>
    public override string ToString() => $"InvokeCredentials {{ AccessKeyId = {AccessKeyId} }}";
}
