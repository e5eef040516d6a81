namespace Shoal.Samples.App.Bank;

/// <summary>Accounts with balances; a transfer moves money inside one transaction.</summary>
public interface IAccountStore
{
    Task InitializeAsync(CancellationToken cancellationToken);

    Task<IReadOnlyList<Account>> ListAsync(CancellationToken cancellationToken);

    Task<TransferResult> TransferAsync(string from, string to, long amount, CancellationToken cancellationToken);
}

public sealed record Account(string Id, long Balance);

public enum TransferOutcome
{
    Done,
    UnknownAccount,
    InsufficientFunds,
}

/// <summary>What a transfer did; a done one carries its id (also the id of its event).</summary>
public sealed record TransferResult(TransferOutcome Outcome, string? Message = null, long FromBalance = 0, long ToBalance = 0, string? TransferId = null)
{
    public static TransferResult Unknown(string id) => new(TransferOutcome.UnknownAccount, $"Account '{id}' does not exist.");

    public static TransferResult Insufficient(string id, long balance, long amount) =>
        new(TransferOutcome.InsufficientFunds, $"Account '{id}' has {balance}; the transfer needs {amount}.");
}

public sealed record TransferRequest(string? From, string? To, long Amount)
{
    public string? Validate()
    {
        if (string.IsNullOrWhiteSpace(From) || string.IsNullOrWhiteSpace(To))
        {
            return "Both 'from' and 'to' are required.";
        }

        if (string.Equals(From, To, StringComparison.Ordinal))
        {
            return "'from' and 'to' must be different accounts.";
        }

        return Amount <= 0 ? "'amount' must be a positive whole number." : null;
    }
}

/// <summary>The accounts every new store starts with.</summary>
public static class SeedAccounts
{
    public static readonly IReadOnlyList<Account> All = [new("alice", 1000), new("bob", 1000), new("carol", 1000)];
}
