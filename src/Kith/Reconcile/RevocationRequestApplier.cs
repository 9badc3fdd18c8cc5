using System.Security.Cryptography.X509Certificates;
using Kith.Fleet;
using Kith.Revocation;
using Kith.Storage;

namespace Kith.Reconcile;

/// <summary>One certificate an agent revoked because of a revocation request in the fleet state.</summary>
public sealed record AppliedRevocation(string SerialHex, IReadOnlyList<string> Names, RevocationReason Reason, bool KeyBlocked, FleetRevocationRequest Request);

/// <summary>What one run of <see cref="RevocationRequestApplier.ApplyAsync"/> did.</summary>
/// <param name="Revoked">Certificates revoked now (one already revoked is not counted again).</param>
/// <param name="Ignored">Requests for this machine that could not be carried out, with why (nothing matched, a bad entry).</param>
public sealed record RevocationRequestsApplied(IReadOnlyList<AppliedRevocation> Revoked, IReadOnlyList<string> Ignored);

/// <summary>
/// Carries out the fleet state's revocation requests for one machine in its issuance log (docs/revoke.md): by serial
/// that certificate; by name every unrevoked certificate with that name whose notBefore is not after the request, so
/// the replacement issued afterwards stays valid. Each request is carried out once (the agent keeps the requests it
/// carried out in the same table the operator keeps its own in); revoking is idempotent besides (the first time and
/// reason stay). keyCompromise also blocks the key. The reconciler then replaces every revoked certificate on disk.
/// </summary>
public static class RevocationRequestApplier
{
    public static async Task<RevocationRequestsApplied> ApplyAsync(FleetState state, string machine, ICertificateStore store, SqliteRevocationRequestStore carriedOut, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(carriedOut);
        var revoked = new List<AppliedRevocation>();
        var ignored = new List<string>();
        foreach (var request in (state.Revocations ?? []).Where(r => string.Equals(r.Machine, machine, StringComparison.Ordinal)))
        {
            var reason = ReasonOf(request.Reason);
            if (reason is null || (request.Serial is null) == (request.Name is null) || (request.Serial is { } bad && !IsHex(bad)))
            {
                ignored.Add($"revocation request of {request.Serial ?? request.Name ?? "nothing"} at {request.RequestedAt:u}: malformed (reason '{request.Reason}'; it needs a serial or a name)");
                continue;
            }

            var kept = new RevocationRequest(machine, request.Serial, request.Name?.ToLowerInvariant(), reason.Value, request.RequestedAt);
            if (await carriedOut.ContainsAsync(kept, cancellationToken))
            {
                continue;
            }

            var targets = await TargetsAsync(request, machine, store, cancellationToken);
            if (targets.Count == 0)
            {
                ignored.Add($"revocation request of {request.Serial ?? request.Name} at {request.RequestedAt:u}: no certificate of {machine} in its issuance log matches");
            }

            foreach (var target in targets.Where(t => !t.IsRevoked))
            {
                await store.RevokeAsync(machine, target.SerialHex, request.RequestedAt, reason.Value, cancellationToken);
                var blocked = false;
                if (reason == RevocationReason.KeyCompromise && target.Der is { } der)
                {
                    using var certificate = X509CertificateLoader.LoadCertificate(der);
                    await store.BlockKeyAsync(certificate.PublicKey.ExportSubjectPublicKeyInfo(), reason.Value, request.RequestedAt, cancellationToken);
                    blocked = true;
                }

                revoked.Add(new AppliedRevocation(target.SerialHex, target.Names, reason.Value, blocked, request));
            }

            await carriedOut.AddAsync(kept, cancellationToken);
        }

        return new RevocationRequestsApplied(revoked, ignored);
    }

    private static async Task<IReadOnlyList<CertificateRecord>> TargetsAsync(FleetRevocationRequest request, string machine, ICertificateStore store, CancellationToken cancellationToken)
    {
        if (request.Serial is { } serial)
        {
            // The operator may have been given the serial without DER's leading zero octet, or with it.
            var trimmed = serial.TrimStart('0');
            foreach (var candidate in new[] { serial, trimmed.Length % 2 == 0 ? trimmed : "0" + trimmed, "00" + trimmed }.Distinct(StringComparer.Ordinal))
            {
                if (candidate.Length > 0 && await store.FindAsync(machine, candidate, cancellationToken) is { } found)
                {
                    return [found];
                }
            }

            return [];
        }

        var name = request.Name!;
        return (await store.ListAsync(new CertificateQuery(Issuer: machine, IncludeRevoked: true, IncludeDer: true), cancellationToken))
            .Where(r => r.NotBefore <= request.RequestedAt && r.Names.Contains(name, StringComparer.OrdinalIgnoreCase))
            .ToList();
    }

    private static RevocationReason? ReasonOf(string? name)
    {
        try
        {
            return name is null ? null : RevocationReasonNames.Parse(name, RevocationReasonNames.ForLeaves);
        }
        catch (KithException)
        {
            return null;
        }
    }

    private static bool IsHex(string text) => text.Length > 0 && text.All(c => char.IsAsciiDigit(c) || c is >= 'a' and <= 'f');
}
