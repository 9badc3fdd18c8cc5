using System.Collections.Concurrent;
using Kith.Files;
using Kith.Inventory;
using Kith.Pki;
using Kith.Storage;

namespace Kith.Operator;

/// <summary>Progress of an apply: certificates done out of the total that change.</summary>
public readonly record struct ApplyProgress(int Done, int Total);

/// <summary>What apply did, and what it could not do but did not need to fail for.</summary>
public sealed record ApplyResult(int HostCasSigned, int CertificatesIssued, IReadOnlyList<string> Warnings);

/// <summary>
/// Carries out a plan: signs Host CAs with the Root (opened only when one must be signed; an
/// agent-managed machine's from its stored CSR), issues every changed endpoint certificate of all-in-one
/// machines from its Host CA, logs them, and writes each machine's files under the output root. The
/// certificates of agent-managed machines (<see cref="PlanAction.Agent"/>) are not changes: never issued here.
/// </summary>
public sealed class Applier(FleetInventory inventory, StateFolder state, ICertificateStore store, Passphrase passphrase, TimeProvider time, string outputRoot)
{
    public async Task<ApplyResult> ApplyAsync(Plan plan, IProgress<ApplyProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var warnings = new ConcurrentBag<string>();
        var leaves = plan.Changes.Where(i => !i.IsHostCa).ToList();

        // Every destination is checked before anything is signed: a folder kith may not replace must
        // not leave Host CAs signed and logged behind a failed apply.
        foreach (var item in leaves)
        {
            EndpointFileBatch.CheckManaged(Planner.OutputPath(outputRoot, item.Machine, FleetPolicy.FolderOf(inventory, inventory.FindService(item.Service!)!)));
        }

        var hostCas = plan.Changes.Where(i => i.IsHostCa).ToList();
        if (hostCas.Count > 0)
        {
            await SignHostCasAsync(hostCas, cancellationToken);
        }

        if (leaves.Count > 0)
        {
            await IssueLeavesAsync(leaves, warnings, progress, cancellationToken);
        }

        return new ApplyResult(hostCas.Count, leaves.Count, [.. warnings]);
    }

    /// <summary>
    /// Keys and CSRs of all-in-one machines are made in parallel (an agent-managed machine's stored CSR is
    /// read instead), then <see cref="HostCaSigner"/> signs, logs and writes every Host CA.
    /// </summary>
    private async Task SignHostCasAsync(List<PlanItem> items, CancellationToken cancellationToken)
    {
        // The Root opens first: a wrong passphrase must leave no new Host CA key behind.
        using var root = RootStore.Open(state, passphrase);
        var requests = new (string Machine, byte[] PublicKey)[items.Count];
        Parallel.For(0, items.Count, new ParallelOptions { CancellationToken = cancellationToken }, i =>
        {
            var machine = items[i].Machine;
            var csr = HostCaFiles.EnsureSigningRequest(state, machine, inventory.Ca.Key);
            requests[i] = (machine, HostCa.ReadSigningRequest(csr, state.HostCaRequest(machine)));
        });

        await new HostCaSigner(inventory, state, store, time).SignAsync(root, requests, cancellationToken);
    }

    private async Task IssueLeavesAsync(List<PlanItem> items, ConcurrentBag<string> warnings, IProgress<ApplyProgress>? progress, CancellationToken cancellationToken)
    {
        var rootPublicKey = RootStore.LoadCertificate(state).PublicKey.ExportSubjectPublicKeyInfo();
        var batch = new EndpointFileBatch();
        var records = new ConcurrentBag<CertificateRecord>();
        var extraFiles = new ConcurrentBag<(string Path, string Content, UnixFileMode Mode)>();
        var done = 0;
        var byMachine = items.GroupBy(i => i.Machine).ToList();
        try
        {
            Parallel.ForEach(
                byMachine,
                new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount, CancellationToken = cancellationToken },
                group =>
                {
                    using var ca = HostCaFiles.Open(state, inventory, group.Key, rootPublicKey);
                    using var issuer = new LeafIssuer(ca, time);
                    var chainPem = Pem.Encode("CERTIFICATE", ca.Certificate.RawData);
                    foreach (var item in group)
                    {
                        var service = inventory.FindService(item.Service!)!;
                        var (record, files) = IssueOne(issuer, service, item, chainPem);
                        var folder = Planner.OutputPath(outputRoot, item.Machine, FleetPolicy.FolderOf(inventory, service));
                        batch.Stage(folder, files, Ownership(service, warnings));
                        QueueExtraFiles(service, files, extraFiles);
                        records.Add(record);
                        progress?.Report(new ApplyProgress(Interlocked.Increment(ref done), items.Count));
                    }
                });

            await store.RecordAsync([.. records], cancellationToken);
        }
        catch (AggregateException e) when (e.InnerExceptions.Count > 0)
        {
            // Parallel.ForEach wraps what a machine's issuing threw: report the first problem as itself
            // (a KithException stays a one-line user error, not an "internal error: AggregateException").
            batch.Abandon();
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(e.InnerExceptions[0]);
        }
        catch
        {
            batch.Abandon();
            throw;
        }

        batch.Commit();
        foreach (var (path, content, mode) in extraFiles)
        {
            AtomicFile.WriteText(path, content, mode);
        }
    }

    private (CertificateRecord Record, EndpointFiles Files) IssueOne(LeafIssuer issuer, Service service, PlanItem item, string chainPem)
    {
        using var key = Keys.Create(inventory.Ca.Key);
        var now = time.GetUtcNow();
        var request = new LeafRequest(
            item.Names,
            [],
            FleetPolicy.UsageOf(service.Kind),
            key.ExportSubjectPublicKeyInfo(),
            now - CertificateValidity.Backdate,
            Min(now + inventory.Ca.LeafValidity, issuer.Issuer.NotAfter),
            AllowWildcard: true);
        var issued = issuer.Issue(request);
        var record = new CertificateRecord(issuer.Issuer.Name, issued.SerialHex, FleetPolicy.KindOf(service.Kind), issued.DnsNames, item.Machine, service.Name, issued.NotBefore, issued.NotAfter, Der: issued.Der);
        return (record, new EndpointFiles(issued.ToPem(), PrivateKeyPem.Export(key), chainPem));
    }

    private void QueueExtraFiles(Service service, EndpointFiles files, ConcurrentBag<(string, string, UnixFileMode)> extraFiles)
    {
        var secretMode = ParseMode(service.Files?.Mode) ?? AtomicFile.PrivateMode;
        if (service.Files?.Cert is { } cert)
        {
            extraFiles.Add((Planner.OutputPath(outputRoot, service.Machine, cert), files.CertificatePem, AtomicFile.PublicMode));
        }

        if (service.Files?.Fullchain is { } fullchain)
        {
            extraFiles.Add((Planner.OutputPath(outputRoot, service.Machine, fullchain), files.FullChainPem, AtomicFile.PublicMode));
        }

        if (service.Files?.Key is { } key)
        {
            extraFiles.Add((Planner.OutputPath(outputRoot, service.Machine, key), files.KeyPem, secretMode));
        }
    }

    /// <summary>
    /// Owner and group are applied only when kith runs as root and the account exists here; otherwise the
    /// files keep the writer's ownership and a warning says so (in all-in-one mode the accounts usually
    /// live on the target machine, not the operator's).
    /// </summary>
    private static FileOwnership Ownership(Service service, ConcurrentBag<string> warnings)
    {
        var mode = ParseMode(service.Files?.Mode) ?? AtomicFile.PrivateMode;
        int? uid = null, gid = null;
        if (service.Files is { Owner: not null } or { Group: not null })
        {
            var isRoot = Environment.UserName == "root";
            uid = service.Files.Owner is { } owner && isRoot ? UnixAccounts.UserId(owner) : null;
            gid = service.Files.Group is { } group && isRoot ? UnixAccounts.GroupId(group) : null;
            if ((service.Files.Owner is not null && uid is null) || (service.Files.Group is not null && gid is null))
            {
                warnings.Add($"service '{service.Name}': owner/group not applied ({(isRoot ? "no such account on this machine" : "not running as root")}); set them when deploying to '{service.Machine}'");
            }
        }

        return new FileOwnership(mode, uid, gid);
    }

    private static UnixFileMode? ParseMode(string? octal) =>
        octal is null ? null : (UnixFileMode)Convert.ToInt32(octal, 8);

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;
}
