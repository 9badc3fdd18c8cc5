using System.Text.Json;
using Kith.Acme.Issuance;
using Kith.Acme.Jws;
using Kith.Acme.Store;
using Microsoft.Extensions.Logging;

namespace Kith.Acme.Server;

public sealed partial class AcmeServer
{
    private const int MaxContacts = 10;

    private async Task<AcmeHttpResponse> NewAccountAsync(AcmeJwsRequest jws, AcmeUrls urls, CancellationToken cancellationToken)
    {
        if (!jws.HasEmbeddedJwk)
        {
            return Problem(new AcmeProblem(AcmeErrorType.Malformed, "newAccount must carry the new account's key as \"jwk\", not a \"kid\""));
        }

        using var payload = ParsePayload(jws, out var payloadProblem);
        if (payload is null)
        {
            return Problem(payloadProblem!);
        }

        if (await certificates.IsKeyBlockedAsync(jws.Key.SubjectPublicKeyInfo, cancellationToken).ConfigureAwait(false))
        {
            return Problem(CompromisedKey("the account key"));
        }

        var root = payload.RootElement;
        var onlyReturnExisting = root.TryGetProperty("onlyReturnExisting", out var only) && only.ValueKind == JsonValueKind.True;
        var existing = await store.FindAccountByThumbprintAsync(jws.Key.Thumbprint, cancellationToken).ConfigureAwait(false);
        if (existing is not null)
        {
            return Json(200, AcmeResources.Account(existing, urls), urls.Account(existing.Id));
        }

        if (onlyReturnExisting)
        {
            return Problem(new AcmeProblem(AcmeErrorType.AccountDoesNotExist, "no account has this key (onlyReturnExisting was set)"));
        }

        if (ReadContacts(root, out var contacts) is { } contactProblem)
        {
            return Problem(contactProblem);
        }

        string? eabKid = null;
        if (root.TryGetProperty("externalAccountBinding", out var binding))
        {
            string? boundKid = null;
            var problem = ExternalAccountBinding.Verify(binding, jws.Key, urls.NewAccount, kid =>
            {
                var found = store.FindExternalAccountKeyAsync(kid, cancellationToken).GetAwaiter().GetResult();
                if (found?.BoundAccountId is not null)
                {
                    boundKid = kid;
                    return null;
                }

                return found?.HmacKey;
            }, out eabKid);
            if (problem is not null)
            {
                return Problem(boundKid is null
                    ? problem
                    : new AcmeProblem(AcmeErrorType.Unauthorized, $"the External Account Binding key \"{boundKid}\" is already bound to another account; each key registers one account, ask for a new one (kith acme eab create)"));
            }
        }
        else if (options.ExternalAccountRequired)
        {
            return Problem(new AcmeProblem(AcmeErrorType.ExternalAccountRequired, "this server needs an External Account Binding; ask the operator for one (kith acme eab create) and pass its kid and HMAC key to your client"));
        }

        var account = new AcmeAccount(AcmeIds.New(), jws.Key.Thumbprint, jws.Key.CanonicalJwk, AcmeAccountStatus.Valid, contacts, eabKid, time.GetUtcNow());
        var (outcome, stored) = await store.CreateAccountAsync(account, cancellationToken).ConfigureAwait(false);
        switch (outcome)
        {
            case AcmeAccountCreation.Created:
                LogAccountCreated(logger, stored!.Id, stored.Contact.Count == 0 ? "no contact" : string.Join(", ", stored.Contact));
                return Json(201, AcmeResources.Account(stored, urls), urls.Account(stored.Id));
            case AcmeAccountCreation.ExistingKey:
                return Json(200, AcmeResources.Account(stored!, urls), urls.Account(stored!.Id));
            default:
                return Problem(new AcmeProblem(AcmeErrorType.Unauthorized, $"the External Account Binding key \"{eabKid}\" is unknown or already bound to another account; ask for a new one (kith acme eab create)"));
        }
    }

    private async Task<AcmeHttpResponse> UpdateAccountAsync(AcmeJwsRequest jws, AcmeAccount account, string accountId, AcmeUrls urls, CancellationToken cancellationToken)
    {
        if (accountId != account.Id)
        {
            return Problem(new AcmeProblem(AcmeErrorType.Unauthorized, "the request is signed by a different account than the one it addresses"));
        }

        if (jws.IsPostAsGet)
        {
            return Json(200, AcmeResources.Account(account, urls), urls.Account(account.Id));
        }

        using var payload = ParsePayload(jws, out var payloadProblem);
        if (payload is null)
        {
            return Problem(payloadProblem!);
        }

        var root = payload.RootElement;
        AcmeAccountStatus? status = null;
        if (root.TryGetProperty("status", out var statusElement))
        {
            if (statusElement.ValueKind != JsonValueKind.String || statusElement.GetString() != "deactivated")
            {
                return Problem(new AcmeProblem(AcmeErrorType.Malformed, "an account's status can only be changed to \"deactivated\""));
            }

            status = AcmeAccountStatus.Deactivated;
        }

        IReadOnlyList<string>? contacts = null;
        if (root.TryGetProperty("contact", out _))
        {
            if (ReadContacts(root, out var read) is { } contactProblem)
            {
                return Problem(contactProblem);
            }

            contacts = read;
        }

        var updated = await store.UpdateAccountAsync(account.Id, contacts, status, cancellationToken).ConfigureAwait(false);
        if (updated is null)
        {
            return NotFound("account");
        }

        Forget(account.Id);
        if (status == AcmeAccountStatus.Deactivated)
        {
            LogAccountDeactivated(logger, account.Id);
        }

        return Json(200, AcmeResources.Account(updated, urls), urls.Account(updated.Id));
    }

    private async Task<AcmeHttpResponse> AccountOrdersAsync(AcmeAccount account, string accountId, AcmeUrls urls, CancellationToken cancellationToken)
    {
        if (accountId != account.Id)
        {
            return Problem(new AcmeProblem(AcmeErrorType.Unauthorized, "the request is signed by a different account than the one it addresses"));
        }

        var ids = await store.ListOrderIdsAsync(account.Id, 1000, cancellationToken).ConfigureAwait(false);
        return Json(200, AcmeResources.OrderList(ids, urls));
    }

    private async Task<AcmeHttpResponse> KeyChangeAsync(AcmeJwsRequest jws, AcmeAccount account, AcmeUrls urls, CancellationToken cancellationToken)
    {
        var inner = AcmeJwsVerifier.VerifyKeyChange(jws);
        if (inner.Problem is not null)
        {
            return Problem(inner.Problem);
        }

        var newKey = inner.Request!.Key;
        if (await certificates.IsKeyBlockedAsync(newKey.SubjectPublicKeyInfo, cancellationToken).ConfigureAwait(false))
        {
            return Problem(CompromisedKey("the new account key"));
        }

        var holder = await store.FindAccountByThumbprintAsync(newKey.Thumbprint, cancellationToken).ConfigureAwait(false);
        if (holder is not null || !await store.ChangeAccountKeyAsync(account.Id, newKey.Thumbprint, newKey.CanonicalJwk, cancellationToken).ConfigureAwait(false))
        {
            holder ??= await store.FindAccountByThumbprintAsync(newKey.Thumbprint, cancellationToken).ConfigureAwait(false);
            var conflict = new AcmeProblem(AcmeErrorType.Malformed, "another account already uses the new key", Status: 409);
            return new AcmeHttpResponse(409, AcmeProblem.MediaType, conflict.ToJson()) { Location = holder is null ? null : urls.Account(holder.Id) };
        }

        Forget(account.Id);
        LogKeyChanged(logger, account.Id);
        var updated = await store.FindAccountAsync(account.Id, cancellationToken).ConfigureAwait(false);
        return Json(200, AcmeResources.Account(updated ?? account, urls), urls.Account(account.Id));
    }

    /// <summary>RFC 8555 §7.3: mailto: addresses only, one address each, no header fields.</summary>
    private static AcmeProblem? ReadContacts(JsonElement root, out IReadOnlyList<string> contacts)
    {
        contacts = [];
        if (!root.TryGetProperty("contact", out var element) || element.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (element.ValueKind != JsonValueKind.Array)
        {
            return new AcmeProblem(AcmeErrorType.Malformed, "contact must be an array of mailto: URLs");
        }

        var list = new List<string>();
        foreach (var item in element.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.String)
            {
                return new AcmeProblem(AcmeErrorType.Malformed, "contact must be an array of mailto: URLs");
            }

            var contact = item.GetString()!;
            if (!contact.StartsWith("mailto:", StringComparison.OrdinalIgnoreCase))
            {
                return new AcmeProblem(AcmeErrorType.UnsupportedContact, $"contact \"{contact}\" is not a mailto: URL; only e-mail contacts are supported");
            }

            var address = contact["mailto:".Length..];
            var at = address.IndexOf('@', StringComparison.Ordinal);
            if (at <= 0 || at == address.Length - 1 || address.AsSpan().IndexOfAny("?,;<> \t\r\n") >= 0 || address.IndexOf('@', at + 1) >= 0)
            {
                return new AcmeProblem(AcmeErrorType.InvalidContact, $"contact \"{contact}\" is not one plain e-mail address (mailto:name@example.org, no header fields)");
            }

            list.Add(contact);
        }

        if (list.Count > MaxContacts)
        {
            return new AcmeProblem(AcmeErrorType.InvalidContact, $"at most {MaxContacts} contacts are accepted");
        }

        contacts = list;
        return null;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "acme: account {Account} created ({Contact})")]
    private static partial void LogAccountCreated(ILogger logger, string account, string contact);

    [LoggerMessage(Level = LogLevel.Information, Message = "acme: account {Account} deactivated")]
    private static partial void LogAccountDeactivated(ILogger logger, string account);

    [LoggerMessage(Level = LogLevel.Information, Message = "acme: account {Account} changed its key")]
    private static partial void LogKeyChanged(ILogger logger, string account);
}
