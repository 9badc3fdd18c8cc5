using Kith.Reconcile;
using Microsoft.Extensions.Time.Testing;

namespace Kith.Tests.Reconcile;

/// <summary>Crash leftovers beside endpoint folders: swept once per parent folder and pass, and never made by a cancelled pass.</summary>
public class GenerationSweepTests
{
    [Fact]
    public async Task A_pass_over_many_endpoints_in_one_parent_lists_it_once_and_sweeps_each_endpoints_leftovers()
    {
        using var f = new ReconcileFixture();
        var services = Enumerable.Range(0, 40).Select(i => $"web{i:D2}").Append("music.v2").ToList();
        var state = ReconcileFixture.State([.. services.Select(s => f.Endpoint(s, $"{s.Replace('.', '-')}.storage.home.arpa"))]);
        await f.PassAsync(state);
        var parent = Path.Combine(f.Root, "srv");
        string[] leftovers =
        [
            Directory.CreateDirectory(Path.Combine(parent, ".web07.20260101000000-0123456789abcdef")).FullName,
            Directory.CreateDirectory(Path.Combine(parent, ".music.v2.20260101000000-89abcdef")).FullName,
            Path.Combine(parent, $".web31.link-{Guid.NewGuid():N}"),
        ];
        File.CreateSymbolicLink(leftovers[2], leftovers[0]);
        string[] foreign =
        [
            Directory.CreateDirectory(Path.Combine(parent, ".web07.notes")).FullName,
            Directory.CreateDirectory(Path.Combine(parent, ".music.20260101000000-0123456789abcdef")).FullName, // no endpoint "music"
        ];

        f.Time.Advance(TimeSpan.FromDays(5));
        var renewal = await f.PassAsync(state);

        Assert.Equal(services.Count, renewal.Count(EndpointAction.Renewed));
        Assert.Equal(1, f.Reconciler.LastPassFolderListings);
        Assert.All(leftovers, path => Assert.False(Path.Exists(path), path));
        Assert.All(foreign, path => Assert.True(Directory.Exists(path), path));
        Assert.All(services, s => Assert.True(File.Exists(Path.Combine(f.Folder(s), "cert.pem")), s));
        var expected = services.SelectMany(s => new[] { s, new FileInfo(f.Folder(s)).LinkTarget! }).Concat(foreign.Select(Path.GetFileName)).Order(StringComparer.Ordinal);
        Assert.Equal(expected, Directory.GetFileSystemEntries(parent).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_pass_with_nothing_to_write_lists_no_folder()
    {
        using var f = new ReconcileFixture();
        var state = ReconcileFixture.State(f.Endpoint("music", "music.home.arpa"), f.Endpoint("host", "storage.home.arpa"));
        await f.PassAsync(state);

        Assert.True((await f.PassAsync(state)).Quiet);
        Assert.Equal(0, f.Reconciler.LastPassFolderListings);
    }

    [Fact]
    public async Task A_pass_cancelled_while_staging_leaves_no_generation_behind_and_the_current_files_stay()
    {
        using var f = new ReconcileFixture();
        var services = Enumerable.Range(0, 6).Select(i => $"web{i}").ToList();
        var state = ReconcileFixture.State([.. services.Select(s => f.Endpoint(s, $"{s}.storage.home.arpa"))]);
        await f.PassAsync(state);
        var parent = Path.Combine(f.Root, "srv");
        var before = services.ToDictionary(s => s, s => (f.CertPem(s), new FileInfo(f.Folder(s)).LinkTarget));
        f.Time.Advance(TimeSpan.FromDays(6));

        // The clock cancels the pass (as SIGTERM does) as soon as a new generation has been staged.
        using var stop = new CancellationTokenSource();
        var generations = before.Values.Select(v => v.LinkTarget).ToHashSet();
        var clock = new CancellingClock(f.Time, () =>
        {
            if (Directory.EnumerateDirectories(parent, ".*").Any(d => !generations.Contains(Path.GetFileName(d))))
            {
                stop.Cancel();
            }
        });
        var reconciler = new EndpointReconciler(clock, f.Options);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => reconciler.ReconcileAsync(state, "storage", f.Authorities.Host, stop.Token));

        Assert.True(stop.IsCancellationRequested);
        Assert.Equal(
            services.Concat(generations!).Order(StringComparer.Ordinal),
            Directory.GetFileSystemEntries(parent).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.All(services, s => Assert.Equal(before[s], (f.CertPem(s), new FileInfo(f.Folder(s)).LinkTarget)));
    }

    /// <summary>The fixture's fake clock, running <paramref name="onRead"/> each time the time is read.</summary>
    private sealed class CancellingClock(FakeTimeProvider inner, Action onRead) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow()
        {
            onRead();
            return inner.GetUtcNow();
        }
    }
}
