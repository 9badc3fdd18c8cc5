using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Kith.Files;
using Kith.Fleet;
using Kith.Pki;
using Kith.Storage;

namespace Kith.Reconcile;

/// <summary>
/// The agent's reconcile loop, one pass at a time (docs/reconcile.md): for every endpoint of its machine,
/// keep a current certificate from the machine's Host CA in the endpoint's folder, reload the service after
/// new files, and remove the folders of endpoints that left the state. The disk is the truth: each pass
/// reads every endpoint's cert.pem to decide. Failed issuances and reloads are retried with capped
/// exponential backoff (<see cref="RetrySchedule"/>, in memory). Passes are serialized.
/// </summary>
public sealed class EndpointReconciler
{
    private const string ServerAuth = "1.3.6.1.5.5.7.3.1";
    private const string ClientAuth = "1.3.6.1.5.5.7.3.2";

    private readonly TimeProvider time;
    private readonly ReconcileOptions options;
    private readonly ICertificateStore? log;
    private readonly RetrySchedule issueRetries;
    private readonly RetrySchedule reloadRetries;
    private readonly Dictionary<string, string> lastErrors = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim gate = new(1, 1);
    private Dictionary<string, ManagedFolder>? memoryManifest;
    private volatile LeafPolicy policy;

    /// <param name="log">
    /// The machine's issuance log: every certificate a pass issues is recorded there before its files are swapped in,
    /// and a certificate on disk that the log shows revoked is replaced. Null: neither (tests of the file handling).
    /// </param>
    public EndpointReconciler(TimeProvider time, ReconcileOptions? options = null, Random? random = null, ICertificateStore? log = null)
    {
        ArgumentNullException.ThrowIfNull(time);
        this.time = time;
        this.log = log;
        this.options = options ?? new ReconcileOptions();
        issueRetries = new RetrySchedule(time, this.options.RetryInitial, this.options.RetryMax, random);
        reloadRetries = new RetrySchedule(time, this.options.RetryInitial, this.options.RetryMax, random);
        policy = Effective(LeafPolicy.Default);
    }

    public ReconcileOptions Options => options;

    /// <summary>
    /// The leaf lifetime and renewal fraction in force: the last pass's state's (<see cref="LeafPolicy.Of"/>),
    /// each overridden by <see cref="ReconcileOptions.LeafValidity"/> / <see cref="ReconcileOptions.RenewAt"/> when set.
    /// </summary>
    public LeafPolicy Policy => policy;

    /// <summary>How many parent folders the last finished pass listed to sweep crash leftovers (tests, bench).</summary>
    internal int LastPassFolderListings { get; private set; }

    /// <summary>One pass for <paramref name="machine"/>'s endpoints in <paramref name="state"/>, issuing from <paramref name="hostCa"/>.</summary>
    public async Task<ReconcileResult> ReconcileAsync(FleetState state, string machine, CertificateAuthority hostCa, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(hostCa);
        await gate.WaitAsync(cancellationToken);
        try
        {
            // Taken from each pass's state, so a new leaf_validity or renew_at applies without a new reconciler
            // (which would lose the retry schedules and the in-memory manifest).
            policy = Effective(LeafPolicy.Of(state));
            return await PassAsync(state, machine, hostCa, cancellationToken);
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>
    /// When a certificate valid from <paramref name="notBefore"/> to <paramref name="notAfter"/> is due:
    /// notBefore + <see cref="Policy"/>'s renew_at of its lifetime, moved earlier by a jitter in
    /// [0, <see cref="ReconcileOptions.RenewalJitter"/>) of its lifetime derived from its serial (the same
    /// certificate always gets the same point, also after a restart; certificates issued together spread).
    /// A certificate longer than the policy's lifetime (the policy was shortened) counts as that long, so it
    /// is renewed when one issued under the policy would be.
    /// </summary>
    public DateTimeOffset RenewalPoint(DateTimeOffset notBefore, DateTimeOffset notAfter, string serialHex)
    {
        var current = policy;
        var lifetime = notAfter - notBefore;
        var longest = current.Validity + CertificateValidity.Backdate;
        if (lifetime > longest)
        {
            lifetime = longest;
        }

        var hash = SHA256.HashData(System.Text.Encoding.ASCII.GetBytes(serialHex.ToUpperInvariant()));
        var unit = BitConverter.ToUInt64(hash, 0) / (double)ulong.MaxValue;
        return notBefore + (lifetime * current.RenewAt) - (lifetime * (options.RenewalJitter * unit));
    }

    private async Task<ReconcileResult> PassAsync(FleetState state, string machine, CertificateAuthority hostCa, CancellationToken cancellationToken)
    {
        var endpoints = state.Machines.FirstOrDefault(m => m.Name == machine)?.Endpoints ?? [];
        var manifest = LoadManifest();
        var manifestChanged = false;

        // A reload that was owed when the agent stopped (files written, reload not yet successful) is owed still.
        foreach (var managed in manifest.Values.Where(m => m.ReloadPending && !reloadRetries.IsPending(m.Service)))
        {
            reloadRetries.Request(managed.Service);
        }
        var outcomes = new Dictionary<string, EndpointOutcome>(StringComparer.Ordinal);
        var batch = new EndpointFileBatch();
        // Leftovers of a crash are swept just before an endpoint is written again, each parent folder
        // listed at most once per pass (docs/reconcile.md, "Crash leftovers").
        var sweeper = new GenerationSweeper();
        var written = new List<(FleetEndpoint Endpoint, string Folder, EndpointFiles Files, EndpointOutcome Outcome, OnDisk? Previous, IssuedCertificate Issued)>();
        var revoked = log is null
            ? []
            : (await log.ListRevokedAsync(hostCa.Name, time.GetUtcNow(), cancellationToken)).Select(r => r.SerialHex).ToHashSet(StringComparer.Ordinal);
        var chainPem = Pem.Encode("CERTIFICATE", hostCa.Certificate.RawData);
        using var issuer = new LeafIssuer(hostCa, time);

        try
        {
            foreach (var endpoint in endpoints)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var folder = options.Map(FolderOf(endpoint));
                var (action, reason, current) = Decide(endpoint, folder, hostCa, chainPem, revoked);
                if (action == EndpointAction.Kept)
                {
                    issueRetries.Succeed(endpoint.Service);
                    outcomes[endpoint.Service] = new EndpointOutcome(endpoint.Service, folder, EndpointAction.Kept, null, current?.Serial, current?.NotAfter, NotBefore: current?.NotBefore);
                    continue;
                }

                if (!issueRetries.IsDue(endpoint.Service))
                {
                    outcomes[endpoint.Service] = new EndpointOutcome(endpoint.Service, folder, EndpointAction.Failed, lastErrors.GetValueOrDefault(endpoint.Service), current?.Serial, current?.NotAfter, RetryAt: issueRetries.NextAttempt(endpoint.Service), NotBefore: current?.NotBefore);
                    continue;
                }

                try
                {
                    EndpointFileBatch.CheckManaged(folder);
                    sweeper.Sweep(folder);
                    var warnings = new List<string>();
                    var ownership = Ownership(endpoint, warnings);
                    var (files, issued) = Issue(issuer, endpoint, chainPem);
                    batch.Stage(folder, files, ownership);
                    written.Add((endpoint, folder, files, new EndpointOutcome(endpoint.Service, folder, action, reason, issued.SerialHex, issued.NotAfter, Warnings: warnings.Count > 0 ? warnings : null, NotBefore: issued.NotBefore), current, issued));
                }
                catch (Exception e) when (IsIssueFailure(e))
                {
                    outcomes[endpoint.Service] = Failed(endpoint, folder, e, current);
                }
            }
        }
        catch
        {
            // Cancelled (the agent stops) or an unexpected error while staging: nothing was swapped yet,
            // so the staged generations are removed and every endpoint keeps its current files.
            batch.Abandon();
            throw;
        }

        if (written.Count > 0)
        {
            try
            {
                // Logged before the files are swapped in: a certificate in use is always one the log (and so the
                // machine's CRL and revocation by name) knows.
                await RecordAsync(machine, hostCa.Name, written.Select(w => (w.Endpoint, w.Issued)), cancellationToken);
                batch.Commit();
            }
            catch (Exception e) when (IsIssueFailure(e))
            {
                batch.Abandon();
                foreach (var (endpoint, folder, _, _, previous, _) in written)
                {
                    outcomes[endpoint.Service] = Failed(endpoint, folder, e, previous);
                }

                written.Clear();
            }
        }

        foreach (var (endpoint, folder, files, outcome, _, _) in written)
        {
            var extras = WriteExtraCopies(endpoint, files, out var problems);
            issueRetries.Succeed(endpoint.Service);
            lastErrors.Remove(endpoint.Service);
            if (endpoint.Reload is { Count: > 0 })
            {
                reloadRetries.Request(endpoint.Service);
            }

            manifest[folder] = new ManagedFolder(endpoint.Service, extras, endpoint.Reload is { Count: > 0 });
            manifestChanged = true;
            outcomes[endpoint.Service] = problems.Count == 0 ? outcome : outcome with { Warnings = [.. outcome.Warnings ?? [], .. problems] };
        }

        await ReloadAsync(endpoints, outcomes, cancellationToken);
        foreach (var (folder, managed) in manifest.Where(m => m.Value.ReloadPending && !reloadRetries.IsPending(m.Value.Service)).ToList())
        {
            manifest[folder] = managed with { ReloadPending = false };
            manifestChanged = true;
        }

        var results = endpoints.Select(e => outcomes[e.Service]).ToList();

        var live = results.Select(o => o.Folder).ToHashSet(StringComparer.Ordinal);
        foreach (var (folder, managed) in manifest.Where(m => !live.Contains(m.Key)).ToList())
        {
            if (options.RemoveDeparted)
            {
                try
                {
                    RemoveFolder(folder, managed, sweeper);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    // Stays in the manifest: the next pass tries again.
                    results.Add(new EndpointOutcome(managed.Service, folder, EndpointAction.Failed, $"left the state, but its folder could not be removed: {e.Message}"));
                    continue;
                }
            }

            manifest.Remove(folder);
            manifestChanged = true;
            if (!endpoints.Any(e => e.Service == managed.Service))
            {
                issueRetries.Succeed(managed.Service);
                reloadRetries.Succeed(managed.Service);
                lastErrors.Remove(managed.Service);
            }

            results.Add(new EndpointOutcome(managed.Service, folder, EndpointAction.Removed, options.RemoveDeparted ? "left the state: folder removed" : "left the state: files kept (no longer managed)"));
        }

        if (manifestChanged)
        {
            SaveManifest(manifest);
        }

        LastPassFolderListings = sweeper.Listings;
        return new ReconcileResult(results);
    }

    private async Task RecordAsync(string machine, string issuer, IEnumerable<(FleetEndpoint Endpoint, IssuedCertificate Issued)> certificates, CancellationToken cancellationToken)
    {
        if (log is null)
        {
            return;
        }

        var records = certificates.Select(c => new CertificateRecord(
            issuer, c.Issued.SerialHex, KindOf(c.Endpoint.Kind), c.Issued.Names, machine, c.Endpoint.Service, c.Issued.NotBefore, c.Issued.NotAfter, Der: c.Issued.Der)).ToList();
        try
        {
            await log.RecordAsync(records, cancellationToken);
        }
        catch (Microsoft.Data.Sqlite.SqliteException e)
        {
            throw new IOException($"recording the new certificates in the issuance log failed: {e.Message}", e);
        }
    }

    private static CertificateKind KindOf(string kind) => kind switch
    {
        "client" => CertificateKind.Client,
        "both" => CertificateKind.Both,
        _ => CertificateKind.Server,
    };

    private (EndpointAction Action, string? Reason, OnDisk? Current) Decide(FleetEndpoint endpoint, string folder, CertificateAuthority hostCa, string chainPem, HashSet<string> revoked)
    {
        var certPath = Path.Combine(folder, EndpointFiles.Cert);
        if (!File.Exists(certPath))
        {
            return (EndpointAction.Issued, "no certificate on disk", null);
        }

        X509Certificate2 certificate;
        try
        {
            certificate = X509CertificateLoader.LoadCertificate(Pem.ReadCertificates(certPath)[0]);
        }
        catch (Exception e) when (e is KithException or CryptographicException or IOException or IndexOutOfRangeException or ArgumentException)
        {
            return (EndpointAction.Issued, $"cert.pem unreadable ({e.Message})", null);
        }

        using (certificate)
        {
            var serial = certificate.SerialNumber.ToLowerInvariant(); // as IssuedCertificate.SerialHex writes it
            var notBefore = new DateTimeOffset(certificate.NotBefore.ToUniversalTime());
            var notAfter = new DateTimeOffset(certificate.NotAfter.ToUniversalTime());
            var current = new OnDisk(serial, notBefore, notAfter);
            var now = time.GetUtcNow();
            if (!KeyMatches(folder, certificate))
            {
                return (EndpointAction.Issued, "key.pem missing or not the certificate's key", current);
            }

            if (revoked.Contains(serial))
            {
                return (EndpointAction.Renewed, "revoked", current);
            }

            var names = certificate.Extensions.OfType<X509SubjectAlternativeNameExtension>().SelectMany(e => e.EnumerateDnsNames()).ToList();
            if (!names.SequenceEqual(endpoint.Names, StringComparer.Ordinal))
            {
                return (EndpointAction.Renewed, "its names changed", current);
            }

            if (!UsageMatches(certificate, endpoint.Kind))
            {
                return (EndpointAction.Renewed, "its kind changed", current);
            }

            var authorityKey = certificate.Extensions.OfType<X509AuthorityKeyIdentifierExtension>().FirstOrDefault()?.KeyIdentifier;
            if (authorityKey is null || !authorityKey.Value.Span.SequenceEqual(hostCa.SubjectKeyIdentifier))
            {
                return (EndpointAction.Renewed, "issued by another CA", current);
            }

            var chainPath = Path.Combine(folder, EndpointFiles.Chain);
            if (!File.Exists(chainPath) || File.ReadAllText(chainPath) != chainPem)
            {
                return (EndpointAction.Renewed, "the Host CA certificate changed", current);
            }

            // Another clock (the operator's, a restored backup) may put notBefore a little ahead of ours:
            // within the tolerance the certificate is current, or every pass would reissue it.
            if (notBefore > now + options.ClockSkewTolerance)
            {
                return (EndpointAction.Renewed, $"notBefore {notBefore:u} is further ahead than the clock skew tolerance", current);
            }

            if (now >= notAfter)
            {
                return (EndpointAction.Renewed, "expired", current);
            }

            if (now >= RenewalPoint(notBefore, notAfter, serial))
            {
                return (EndpointAction.Renewed, "due for renewal", current);
            }

            return (EndpointAction.Kept, null, current);
        }
    }

    private static bool KeyMatches(string folder, X509Certificate2 certificate)
    {
        var keyPath = Path.Combine(folder, EndpointFiles.Key);
        try
        {
            var pem = File.ReadAllText(keyPath);
            using AsymmetricAlgorithm key = certificate.GetKeyAlgorithm() == "1.2.840.113549.1.1.1" ? RSA.Create() : ECDsa.Create();
            key.ImportFromPem(pem);
            return key.ExportSubjectPublicKeyInfo().AsSpan().SequenceEqual(certificate.PublicKey.ExportSubjectPublicKeyInfo());
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or CryptographicException or ArgumentException)
        {
            return false;
        }
    }

    private static bool UsageMatches(X509Certificate2 certificate, string kind)
    {
        var usages = certificate.Extensions.OfType<X509EnhancedKeyUsageExtension>()
            .SelectMany(e => e.EnhancedKeyUsages.Cast<Oid>()).Select(o => o.Value).ToHashSet(StringComparer.Ordinal);
        var server = usages.Contains(ServerAuth);
        var client = usages.Contains(ClientAuth);
        return kind switch
        {
            "client" => client && !server,
            "both" => client && server,
            _ => server && !client,
        };
    }

    private (EndpointFiles Files, IssuedCertificate Issued) Issue(LeafIssuer issuer, FleetEndpoint endpoint, string chainPem)
    {
        using var key = Keys.Create(issuer.Issuer.Algorithm);
        var now = time.GetUtcNow();
        var (notBefore, notAfter) = CertificateValidity.LeafWindow(now, policy.Validity, issuer.Issuer);
        var usage = endpoint.Kind switch
        {
            "client" => CertificateUsage.Client,
            "both" => CertificateUsage.Both,
            _ => CertificateUsage.Server,
        };
        var request = new LeafRequest(endpoint.Names, [], usage, key.ExportSubjectPublicKeyInfo(), notBefore, notAfter, AllowWildcard: true);
        var issued = issuer.Issue(request);
        return (new EndpointFiles(issued.ToPem(), PrivateKeyPem.Export(key), chainPem), issued);
    }

    private EndpointOutcome Failed(FleetEndpoint endpoint, string folder, Exception e, OnDisk? current)
    {
        var retryAt = issueRetries.Fail(endpoint.Service);
        lastErrors[endpoint.Service] = e.Message;
        return new EndpointOutcome(endpoint.Service, folder, EndpointAction.Failed, e.Message, current?.Serial, current?.NotAfter, RetryAt: retryAt, NotBefore: current?.NotBefore);
    }

    /// <summary>The endpoint's folder as the state gives it (files.dir), else the default one; before <see cref="ReconcileOptions.PathRoot"/>.</summary>
    public static string FolderOf(FleetEndpoint endpoint)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        return endpoint.Folder ?? EndpointFiles.DefaultFolder(endpoint.Names[0]);
    }

    private LeafPolicy Effective(LeafPolicy fromState) =>
        new(options.LeafValidity ?? fromState.Validity, options.RenewAt ?? fromState.RenewAt);

    private static bool IsIssueFailure(Exception e) =>
        e is KithException or IOException or UnauthorizedAccessException or CryptographicException or FormatException or ArgumentException;

    /// <summary>Runs every reload that is pending and due (after new files, or a failed one's retry time), in parallel.</summary>
    private async Task ReloadAsync(IReadOnlyList<FleetEndpoint> endpoints, Dictionary<string, EndpointOutcome> outcomes, CancellationToken cancellationToken)
    {
        var due = endpoints
            .Where(e => e.Reload is { Count: > 0 } && reloadRetries.IsPending(e.Service) && reloadRetries.IsDue(e.Service))
            .ToList();
        var runs = due.Select(e => ReloadCommand.RunAsync(e.Reload!, options.ReloadTimeout, cancellationToken)).ToList();
        var results = await Task.WhenAll(runs);
        for (var i = 0; i < due.Count; i++)
        {
            var service = due[i].Service;
            DateTimeOffset? retryAt = null;
            if (results[i].Succeeded)
            {
                reloadRetries.Succeed(service);
            }
            else
            {
                retryAt = reloadRetries.Fail(service);
            }

            outcomes[service] = outcomes[service] with { Reload = results[i], RetryAt = outcomes[service].RetryAt ?? retryAt };
        }

        // A failed reload not yet due again is reported by its retry time.
        foreach (var endpoint in endpoints.Where(e => !due.Contains(e) && reloadRetries.IsPending(e.Service) && !reloadRetries.IsDue(e.Service)))
        {
            var outcome = outcomes[endpoint.Service];
            outcomes[endpoint.Service] = outcome with { RetryAt = outcome.RetryAt ?? reloadRetries.NextAttempt(endpoint.Service) };
        }
    }

    private List<string> WriteExtraCopies(FleetEndpoint endpoint, EndpointFiles files, out List<string> problems)
    {
        problems = [];
        var written = new List<string>();
        var secretMode = ParseMode(endpoint.Mode) ?? AtomicFile.PrivateMode;
        foreach (var (path, content, mode, secret) in new[]
        {
            (endpoint.Cert, files.CertificatePem, AtomicFile.PublicMode, false),
            (endpoint.Fullchain, files.FullChainPem, AtomicFile.PublicMode, false),
            (endpoint.Key, files.KeyPem, secretMode, true),
        })
        {
            if (path is null)
            {
                continue;
            }

            var target = options.Map(path);
            if (secret && SymlinkedFolder.Find(options.PathRoot ?? "/", target) is { } link)
            {
                problems.Add($"{target}: key copy not written: {link} is a symlink (keys are written only into real folders; give the real folder in the inventory)");
                continue;
            }

            try
            {
                AtomicFile.WriteText(target, content, mode);
                written.Add(target);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                problems.Add($"{target}: extra copy not written ({e.Message})");
            }
        }

        return written;
    }

    /// <summary>
    /// Owner and group apply when the agent runs as root and the account exists on this machine; otherwise
    /// the files keep the agent's ownership and a warning says so. The mode applies always.
    /// </summary>
    private static FileOwnership Ownership(FleetEndpoint endpoint, List<string> warnings)
    {
        var mode = ParseMode(endpoint.Mode) ?? AtomicFile.PrivateMode;
        if (endpoint.Owner is null && endpoint.Group is null)
        {
            return new FileOwnership(mode);
        }

        var isRoot = Environment.UserName == "root";
        var uid = endpoint.Owner is { } owner && isRoot ? UnixAccounts.UserId(owner) : null;
        var gid = endpoint.Group is { } group && isRoot ? UnixAccounts.GroupId(group) : null;
        if ((endpoint.Owner is not null && uid is null) || (endpoint.Group is not null && gid is null))
        {
            warnings.Add($"owner/group not applied ({(isRoot ? "no such account on this machine" : "the agent does not run as root")})");
        }

        return new FileOwnership(mode, uid, gid);
    }

    private static UnixFileMode? ParseMode(string? octal) =>
        octal is null ? null : (UnixFileMode)Convert.ToInt32(octal, 8);

    /// <summary>Removes an endpoint folder kith made (the symlink and the generation it points to) and its extra copies.</summary>
    private static void RemoveFolder(string folder, ManagedFolder managed, GenerationSweeper sweeper)
    {
        // A real folder or file at that path is not kith's (EndpointFileBatch never makes one): left alone.
        if (new FileInfo(folder).LinkTarget is not null)
        {
            File.Delete(folder);
            sweeper.Sweep(folder);
        }

        foreach (var extra in managed.Extras)
        {
            File.Delete(extra);
        }
    }

    private Dictionary<string, ManagedFolder> LoadManifest()
    {
        if (options.ManifestPath is not { } path)
        {
            return memoryManifest ??= new(StringComparer.Ordinal);
        }

        var manifest = new Dictionary<string, ManagedFolder>(StringComparer.Ordinal);
        if (File.Exists(path))
        {
            foreach (var line in File.ReadAllLines(path))
            {
                var fields = line.Split('\t');
                if (fields.Length >= 3)
                {
                    manifest[fields[1]] = new ManagedFolder(fields[0], fields[3..], fields[2] == "reload");
                }
            }
        }

        return manifest;
    }

    /// <summary>The manifest: one line per folder, tab-separated: service, folder, "reload" or "-" (a reload is owed), extra copies.</summary>
    private void SaveManifest(Dictionary<string, ManagedFolder> manifest)
    {
        if (options.ManifestPath is { } path)
        {
            var lines = manifest.OrderBy(m => m.Key, StringComparer.Ordinal).Select(m => string.Join('\t', [m.Value.Service, m.Key, m.Value.ReloadPending ? "reload" : "-", .. m.Value.Extras]));
            AtomicFile.WriteText(path, string.Join('\n', lines) + "\n", AtomicFile.PrivateMode);
        }
    }

    private sealed record ManagedFolder(string Service, IReadOnlyList<string> Extras, bool ReloadPending);

    /// <summary>The certificate found in an endpoint's folder at the start of its decision.</summary>
    private readonly record struct OnDisk(string Serial, DateTimeOffset NotBefore, DateTimeOffset NotAfter);
}
