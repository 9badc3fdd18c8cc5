using System.Security.Cryptography.X509Certificates;
using Kith.Files;
using Kith.Pki;
using Kith.Reconcile;

namespace Kith.Tests.Reconcile;

public class EndpointReconcilerTests
{
    [Fact]
    public async Task The_first_pass_issues_every_endpoint_and_reloads_each_once_the_second_changes_nothing()
    {
        using var f = new ReconcileFixture();
        var (music, musicRuns) = f.CountingReload("music");
        var (host, hostRuns) = f.CountingReload("host");
        var state = ReconcileFixture.State(f.Endpoint("music", "music.home.arpa", music), f.Endpoint("host", "storage.home.arpa", host));

        var first = await f.PassAsync(state);

        Assert.Equal(2, first.Count(EndpointAction.Issued));
        Assert.All(first.Endpoints, e => Assert.True(e.Reload!.Succeeded));
        Assert.Equal((1, 1), (musicRuns(), hostRuns()));
        using var certificate = X509Certificate2.CreateFromPem(f.CertPem("music"), f.KeyPem("music"));
        Assert.Equal(["music.home.arpa"], certificate.Extensions.OfType<X509SubjectAlternativeNameExtension>().Single().EnumerateDnsNames());
        Assert.Equal(TimeSpan.FromDays(7), certificate.NotAfter - certificate.NotBefore - TimeSpan.FromMinutes(5));
        var generation = new FileInfo(f.Folder("music")).LinkTarget;

        f.Time.Advance(TimeSpan.FromHours(1));
        var second = await f.PassAsync(state);

        Assert.True(second.Quiet);
        Assert.Equal(2, second.Count(EndpointAction.Kept));
        Assert.Equal((1, 1), (musicRuns(), hostRuns()));
        Assert.Equal(generation, new FileInfo(f.Folder("music")).LinkTarget);
        Assert.Equal(first["music"].Serial, second["music"].Serial, StringComparer.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Past_two_thirds_of_the_lifetime_the_certificate_is_renewed_with_a_new_key()
    {
        using var f = new ReconcileFixture();
        var (reload, runs) = f.CountingReload("music");
        var state = ReconcileFixture.State(f.Endpoint("music", "music.home.arpa", reload));
        var first = await f.PassAsync(state);
        var oldKey = f.KeyPem("music");

        // 2/3 of 7 days + 5 minutes backdate is about 4.67 days; the jitter only moves it earlier (≤ 5 %).
        f.Time.Advance(TimeSpan.FromDays(4.3));
        Assert.Equal(EndpointAction.Kept, (await f.PassAsync(state))["music"].Action);
        f.Time.Advance(TimeSpan.FromDays(0.5));
        var renewed = await f.PassAsync(state);

        Assert.Equal(EndpointAction.Renewed, renewed["music"].Action);
        Assert.NotEqual(first["music"].Serial, renewed["music"].Serial);
        Assert.NotEqual(oldKey, f.KeyPem("music"));
        using var certificate = X509Certificate2.CreateFromPem(f.CertPem("music"), f.KeyPem("music"));
        Assert.Equal(renewed["music"].Serial, certificate.SerialNumber, StringComparer.OrdinalIgnoreCase);
        Assert.Equal(2, runs());
    }

    [Fact]
    public void The_renewal_point_is_two_thirds_minus_a_jitter_of_at_most_five_percent_fixed_per_serial()
    {
        using var f = new ReconcileFixture();
        var start = f.Time.GetUtcNow();
        var end = start + TimeSpan.FromDays(6);
        var points = Enumerable.Range(0, 200).Select(i => f.Reconciler.RenewalPoint(start, end, $"{i:X32}")).ToList();

        Assert.All(points, p => Assert.InRange(p, start + TimeSpan.FromDays(4) - TimeSpan.FromDays(0.3), start + TimeSpan.FromDays(4)));
        Assert.True(points.Distinct().Count() > 150);
        Assert.Equal(points[3], f.Reconciler.RenewalPoint(start, end, $"{3:X32}"));
    }

    [Fact]
    public async Task Changed_names_are_reissued_and_a_departed_endpoint_is_removed()
    {
        using var f = new ReconcileFixture();
        await f.PassAsync(ReconcileFixture.State(f.Endpoint("music", "music.home.arpa"), f.Endpoint("host", "storage.home.arpa")));
        var hostGeneration = Path.Combine(f.Root, "srv", new FileInfo(f.Folder("host")).LinkTarget!);

        var result = await f.PassAsync(ReconcileFixture.State(f.Endpoint("music", "storage.home.arpa")));

        Assert.Equal(EndpointAction.Renewed, result["music"].Action);
        Assert.Equal("its names changed", result["music"].Reason);
        using var certificate = X509Certificate2.CreateFromPem(f.CertPem("music"));
        Assert.Equal(["storage.home.arpa"], certificate.Extensions.OfType<X509SubjectAlternativeNameExtension>().Single().EnumerateDnsNames());
        Assert.Equal(EndpointAction.Removed, result["host"].Action);
        Assert.False(Path.Exists(f.Folder("host")));
        Assert.False(Directory.Exists(hostGeneration));
        Assert.Empty(Directory.GetFileSystemEntries(Path.Combine(f.Root, "srv"), ".host*"));
    }

    [Fact]
    public async Task A_departed_endpoint_is_kept_when_the_options_say_so_and_a_restart_remembers_the_folders()
    {
        using var f = new ReconcileFixture(new ReconcileOptions { RemoveDeparted = false });
        await f.PassAsync(ReconcileFixture.State(f.Endpoint("music", "music.home.arpa")));

        // A new reconciler (an agent restart) reads the manifest.
        var restarted = new EndpointReconciler(f.Time, f.Options);
        var result = await restarted.ReconcileAsync(ReconcileFixture.State(), "storage", f.Authorities.Host, TestContext.Current.CancellationToken);

        Assert.Equal(EndpointAction.Removed, result["music"].Action);
        Assert.True(File.Exists(Path.Combine(f.Folder("music"), "cert.pem")));
    }

    [Fact]
    public async Task A_failing_reload_is_recorded_the_files_stay_and_it_is_retried_only_after_its_backoff()
    {
        using var f = new ReconcileFixture();
        var state = ReconcileFixture.State(f.Endpoint("music", "music.home.arpa", ["/bin/sh", "-c", "echo broken config >&2; exit 3"]));

        var first = await f.PassAsync(state);

        Assert.Equal(EndpointAction.Issued, first["music"].Action);
        Assert.Equal(3, first["music"].Reload!.ExitCode);
        Assert.Contains("broken config", first["music"].Reload!.Error, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(f.Folder("music"), "cert.pem")));
        var retryAt = first["music"].RetryAt!.Value;
        Assert.InRange(retryAt - f.Time.GetUtcNow(), TimeSpan.FromSeconds(8), TimeSpan.FromSeconds(10));

        f.Time.Advance(TimeSpan.FromSeconds(5));
        var early = await f.PassAsync(state);
        Assert.Null(early["music"].Reload);
        Assert.Equal(EndpointAction.Kept, early["music"].Action);
        Assert.Equal(retryAt, early["music"].RetryAt);

        f.Time.Advance(TimeSpan.FromSeconds(6));
        var due = await f.PassAsync(state);
        Assert.False(due["music"].Reload!.Succeeded);
        Assert.InRange(due["music"].RetryAt!.Value - f.Time.GetUtcNow(), TimeSpan.FromSeconds(16), TimeSpan.FromSeconds(20));
        Assert.Equal(first["music"].Serial, due["music"].Serial);
    }

    [Fact]
    public async Task A_reload_that_succeeds_on_retry_is_not_run_again()
    {
        using var f = new ReconcileFixture();
        var flag = Path.Combine(f.Root, "fixed");
        var (counting, runs) = f.CountingReload("music");
        var state = ReconcileFixture.State(f.Endpoint("music", "music.home.arpa", ["/bin/sh", "-c", $"test -e '{flag}' && {counting[2]}"]));
        Assert.False((await f.PassAsync(state))["music"].Reload!.Succeeded);

        File.WriteAllText(flag, "");
        f.Time.Advance(TimeSpan.FromSeconds(11));
        Assert.True((await f.PassAsync(state))["music"].Reload!.Succeeded);
        f.Time.Advance(TimeSpan.FromMinutes(30));
        Assert.True((await f.PassAsync(state)).Quiet);
        Assert.Equal(1, runs());
    }

    [Fact]
    public void The_backoff_doubles_from_ten_seconds_and_is_capped_at_ten_minutes()
    {
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider();
        var schedule = new RetrySchedule(time, TimeSpan.FromSeconds(10), TimeSpan.FromMinutes(10), new Random(1));

        Assert.Equal(
            [10, 20, 40, 80, 160, 320, 600, 600],
            Enumerable.Range(1, 8).Select(n => schedule.Delay(n).TotalSeconds));
        Assert.Equal(TimeSpan.FromMinutes(10), schedule.Delay(10_000));
        for (var i = 0; i < 50; i++)
        {
            var next = schedule.Fail("x");
            Assert.InRange(next - time.GetUtcNow(), TimeSpan.Zero, TimeSpan.FromMinutes(10));
        }

        Assert.InRange(schedule.NextAttempt("x")!.Value - time.GetUtcNow(), TimeSpan.FromMinutes(8), TimeSpan.FromMinutes(10));
    }

    [Fact]
    public async Task A_hanging_reload_is_killed_after_its_timeout_and_a_missing_command_is_a_failure()
    {
        using var f = new ReconcileFixture(new ReconcileOptions { ReloadTimeout = TimeSpan.FromSeconds(1) });
        var state = ReconcileFixture.State(
            f.Endpoint("music", "music.home.arpa", ["/bin/sh", "-c", "sleep 60; sleep 60"]),
            f.Endpoint("host", "storage.home.arpa", ["/nonexistent/kith-reload"]));
        var watch = System.Diagnostics.Stopwatch.StartNew();

        var result = await f.PassAsync(state);

        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(15), $"took {watch.Elapsed}");
        Assert.True(result["music"].Reload!.TimedOut);
        Assert.Null(result["music"].Reload!.ExitCode);
        Assert.NotNull(result["music"].RetryAt);
        Assert.False(result["host"].Reload!.Succeeded);
        Assert.Contains("cannot start", result["host"].Reload!.Error, StringComparison.Ordinal);
        Assert.Equal(EndpointAction.Issued, result["host"].Action);
    }

    [Fact]
    public async Task With_an_expired_host_ca_the_previous_files_stay_and_issuing_is_retried_with_backoff()
    {
        using var f = new ReconcileFixture();
        var state = ReconcileFixture.State(f.Endpoint("music", "music.home.arpa"));
        await f.PassAsync(state);
        var cert = f.CertPem("music");
        var key = f.KeyPem("music");
        var generation = new FileInfo(f.Folder("music")).LinkTarget;

        f.Time.Advance(TimeSpan.FromDays(31)); // the Host CA (30 days) and the leaf have expired
        var failed = await f.PassAsync(state);

        Assert.Equal(EndpointAction.Failed, failed["music"].Action);
        Assert.Contains("notAfter", failed["music"].Reason, StringComparison.Ordinal);
        var retryAt = failed["music"].RetryAt!.Value;
        Assert.Equal((cert, key, generation), (f.CertPem("music"), f.KeyPem("music"), new FileInfo(f.Folder("music")).LinkTarget));

        f.Time.Advance(TimeSpan.FromSeconds(5));
        var waiting = await f.PassAsync(state);
        Assert.Equal(EndpointAction.Failed, waiting["music"].Action);
        Assert.Equal(retryAt, waiting["music"].RetryAt);

        f.Time.Advance(TimeSpan.FromSeconds(6));
        var retried = await f.PassAsync(state);
        Assert.Equal(EndpointAction.Failed, retried["music"].Action);
        Assert.True(retried["music"].RetryAt > retryAt + TimeSpan.FromSeconds(10));
        Assert.Equal(cert, f.CertPem("music"));
    }

    [Fact]
    public async Task A_certificate_whose_not_before_is_three_minutes_ahead_is_kept()
    {
        using var f = new ReconcileFixture();
        var state = ReconcileFixture.State(f.Endpoint("music", "music.home.arpa"));
        await f.PassAsync(state);

        // Another clock wrote it: notBefore 3 minutes in our future.
        var now = f.Time.GetUtcNow();
        using var key = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256);
        using var issuer = new LeafIssuer(f.Authorities.Host, f.Time);
        var ahead = issuer.Issue(new LeafRequest(["music.home.arpa"], [], CertificateUsage.Server, key.ExportSubjectPublicKeyInfo(), now + TimeSpan.FromMinutes(3), now + TimeSpan.FromDays(7)));
        var batch = new EndpointFileBatch();
        batch.Stage(f.Folder("music"), new EndpointFiles(ahead.ToPem(), PrivateKeyPem.Export(key), Pem.Encode("CERTIFICATE", f.Authorities.Host.Certificate.RawData)), FileOwnership.Default);
        batch.Commit();

        for (var i = 0; i < 3; i++)
        {
            var result = await f.PassAsync(state);
            Assert.Equal(EndpointAction.Kept, result["music"].Action);
            Assert.Equal(ahead.SerialHex, result["music"].Serial, StringComparer.OrdinalIgnoreCase);
            f.Time.Advance(TimeSpan.FromSeconds(30));
        }
    }

    [Fact]
    public async Task A_key_that_does_not_match_its_certificate_is_reissued()
    {
        using var f = new ReconcileFixture();
        var state = ReconcileFixture.State(f.Endpoint("music", "music.home.arpa"));
        await f.PassAsync(state);
        var keyPath = Path.Combine(f.Folder("music"), "key.pem");
        using (var other = System.Security.Cryptography.ECDsa.Create())
        {
            File.WriteAllText(keyPath, PrivateKeyPem.Export(other));
        }

        var result = await f.PassAsync(state);

        Assert.Equal(EndpointAction.Issued, result["music"].Action);
        using var certificate = X509Certificate2.CreateFromPem(f.CertPem("music"), f.KeyPem("music"));
    }

    [Fact]
    public async Task Key_files_get_0600_or_the_state_mode_and_public_files_0644()
    {
        using var f = new ReconcileFixture();
        await f.PassAsync(ReconcileFixture.State(f.Endpoint("music", "music.home.arpa"), f.Endpoint("host", "storage.home.arpa", mode: "0640")));

        const UnixFileMode Private = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        Assert.Equal(Private, File.GetUnixFileMode(Path.Combine(f.Folder("music"), "key.pem")));
        Assert.Equal(Private, File.GetUnixFileMode(Path.Combine(f.Folder("music"), "full.pem")));
        Assert.Equal(Private | UnixFileMode.GroupRead, File.GetUnixFileMode(Path.Combine(f.Folder("host"), "key.pem")));
        Assert.Equal(AtomicFile.PublicMode, File.GetUnixFileMode(Path.Combine(f.Folder("music"), "cert.pem")));
    }

    [Fact]
    public async Task Extra_copies_are_written_and_removed_with_their_endpoint()
    {
        using var f = new ReconcileFixture();
        var endpoint = f.Endpoint("music", "music.home.arpa") with { Key = "/etc/music/key.pem", Fullchain = "/etc/music/fullchain.pem" };
        await f.PassAsync(ReconcileFixture.State(endpoint));
        var keyCopy = Path.Combine(f.Root, "etc", "music", "key.pem");

        Assert.Equal(f.KeyPem("music"), File.ReadAllText(keyCopy));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(keyCopy));

        await f.PassAsync(ReconcileFixture.State());
        Assert.False(File.Exists(keyCopy));
    }

    [Fact]
    public void A_generation_folder_is_never_created_through_a_planted_symlink()
    {
        var root = Directory.CreateTempSubdirectory("kith-symlink-").FullName;
        try
        {
            var target = Directory.CreateDirectory(Path.Combine(root, "attacker")).FullName;
            var planted = Path.Combine(root, ".music.home.arpa.planted");
            File.CreateSymbolicLink(planted, target);

            Assert.Throws<IOException>(() => UnixFiles.MakeDirectory(planted, AtomicFile.PublicMode));
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
            File.CreateSymbolicLink(Path.Combine(root, "key.pem"), Path.Combine(target, "stolen.pem"));
            Assert.Throws<IOException>(() => new FileStream(Path.Combine(root, "key.pem"), options).Dispose());
            Assert.Empty(Directory.GetFileSystemEntries(target));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public async Task A_reload_owed_when_the_agent_stopped_runs_after_a_restart_and_only_once()
    {
        using var f = new ReconcileFixture();
        var flag = Path.Combine(f.Root, "fixed");
        var (counting, runs) = f.CountingReload("music");
        var state = ReconcileFixture.State(f.Endpoint("music", "music.home.arpa", ["/bin/sh", "-c", $"test -e '{flag}' && {counting[2]}"]));
        Assert.False((await f.PassAsync(state))["music"].Reload!.Succeeded);
        File.WriteAllText(flag, "");

        var restarted = new EndpointReconciler(f.Time, f.Options);
        var result = await restarted.ReconcileAsync(state, "storage", f.Authorities.Host, TestContext.Current.CancellationToken);

        Assert.Equal(EndpointAction.Kept, result["music"].Action);
        Assert.True(result["music"].Reload!.Succeeded);
        var again = new EndpointReconciler(f.Time, f.Options);
        Assert.True((await again.ReconcileAsync(state, "storage", f.Authorities.Host, TestContext.Current.CancellationToken)).Quiet);
        Assert.Equal(1, runs());
    }

    [Fact]
    public async Task Generations_left_by_a_crash_are_swept_at_the_next_write_and_other_names_are_left_alone()
    {
        using var f = new ReconcileFixture();
        var state = ReconcileFixture.State(f.Endpoint("music", "music.home.arpa"));
        await f.PassAsync(state);
        var parent = Path.Combine(f.Root, "srv");
        var orphan = Directory.CreateDirectory(Path.Combine(parent, ".music.20260101000000-0123456789abcdef")).FullName;
        var link = Path.Combine(parent, $".music.link-{Guid.NewGuid():N}");
        File.CreateSymbolicLink(link, orphan);
        var foreign = Directory.CreateDirectory(Path.Combine(parent, ".music.notes")).FullName;

        f.Time.Advance(TimeSpan.FromDays(5));
        Assert.Equal(EndpointAction.Renewed, (await f.PassAsync(state))["music"].Action);

        Assert.False(Path.Exists(orphan));
        Assert.False(Path.Exists(link));
        Assert.True(Directory.Exists(foreign));
        Assert.Equal(
            new[] { ".music.notes", new FileInfo(f.Folder("music")).LinkTarget }.Order(StringComparer.Ordinal),
            Directory.GetFileSystemEntries(parent, ".music.*").Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }
}
