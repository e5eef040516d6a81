namespace Shoal.Functions.Configuration;

/// <summary>One API key: its id (reported as <c>apiKeyId</c>) and the SHA-256 of its value.</summary>
public sealed record ApiKeyDefinition(string Id, byte[] Sha256);
