using Kith.Acme.Store;
using Kith.Storage;

namespace Kith.Tests.Acme.Store;

public sealed class AcmeStoreFinalizeTests : AcmeStoreTests
{
    [Fact]
    public async Task Only_a_ready_order_begins_finalizing()
    {
        await using var store = await OpenAsync();
        var (pending, _) = await CreateOrderAsync(store);
        var ready = await CreateReadyOrderAsync(store);

        Assert.False(await store.TryBeginFinalizeAsync(pending.Id, Ct));
        Assert.False(await store.TryBeginFinalizeAsync("nothing", Ct));
        Assert.True(await store.TryBeginFinalizeAsync(ready.Id, Ct));
        Assert.False(await store.TryBeginFinalizeAsync(ready.Id, Ct));

        Assert.Equal(AcmeOrderStatus.Pending, (await store.FindOrderAsync(pending.Id, Ct))?.Status);
        Assert.Equal(AcmeOrderStatus.Processing, (await store.FindOrderAsync(ready.Id, Ct))?.Status);
    }

    [Fact]
    public async Task Twenty_parallel_finalize_calls_have_exactly_one_winner()
    {
        await using var store = await OpenAsync();
        var ready = await CreateReadyOrderAsync(store);

        var begun = await RaceAsync(20, _ => store.TryBeginFinalizeAsync(ready.Id, Ct));

        Assert.Single(begun, b => b);
        Assert.Equal(AcmeOrderStatus.Processing, (await store.FindOrderAsync(ready.Id, Ct))?.Status);
    }

    [Fact]
    public async Task Completing_logs_the_certificate_in_the_issuance_log_and_makes_the_order_valid()
    {
        await using var store = await OpenAsync();
        var ready = await CreateReadyOrderAsync(store);
        Assert.True(await store.TryBeginFinalizeAsync(ready.Id, Ct));
        var certificate = Certificate("5f3a9c01d2");

        Assert.True(await store.CompleteFinalizeAsync(ready.Id, certificate, Ct));

        var valid = await store.FindOrderAsync(ready.Id, Ct);
        Assert.Equal(AcmeOrderStatus.Valid, valid?.Status);
        Assert.Equal("5f3a9c01d2", valid?.CertificateSerial);
        Assert.Equal(ready.Id, (await store.FindOrderByCertificateSerialAsync("5f3a9c01d2", Ct))?.Id);
        await using var log = await SqliteCertificateStore.OpenAsync(DatabasePath, Ct);
        var logged = await log.FindAsync("storage", "5f3a9c01d2", Ct);
        Assert.Equal(certificate.Names, logged?.Names);
        Assert.Equal(certificate.Der, logged?.Der);
        Assert.Equal(certificate.NotAfter, logged?.NotAfter);
    }

    [Fact]
    public async Task A_duplicate_serial_throws_and_leaves_the_order_processing_so_a_new_serial_can_complete_it()
    {
        await using var store = await OpenAsync();
        await using (var log = await SqliteCertificateStore.OpenAsync(DatabasePath, Ct))
        {
            await log.RecordAsync([Certificate("0c")], Ct);
        }

        var ready = await CreateReadyOrderAsync(store);
        Assert.True(await store.TryBeginFinalizeAsync(ready.Id, Ct));

        var ex = await Assert.ThrowsAsync<DuplicateSerialException>(() => store.CompleteFinalizeAsync(ready.Id, Certificate("0c"), Ct));

        Assert.Equal("0c", ex.SerialHex);
        var processing = await store.FindOrderAsync(ready.Id, Ct);
        Assert.Equal(AcmeOrderStatus.Processing, processing?.Status);
        Assert.Null(processing?.CertificateSerial);
        Assert.Null(await store.FindOrderByCertificateSerialAsync("0c", Ct));
        Assert.True(await store.CompleteFinalizeAsync(ready.Id, Certificate("0d"), Ct));
        Assert.Equal("0d", (await store.FindOrderAsync(ready.Id, Ct))?.CertificateSerial);
    }

    [Fact]
    public async Task Completing_an_order_that_is_not_processing_logs_nothing()
    {
        await using var store = await OpenAsync();
        var ready = await CreateReadyOrderAsync(store);

        Assert.False(await store.CompleteFinalizeAsync(ready.Id, Certificate("0e"), Ct));
        Assert.False(await store.CompleteFinalizeAsync("nothing", Certificate("0e"), Ct));

        Assert.Equal(0L, await ScalarAsync("SELECT COUNT(*) FROM certificates"));
        Assert.Equal(AcmeOrderStatus.Ready, (await store.FindOrderAsync(ready.Id, Ct))?.Status);
    }

    [Fact]
    public async Task Parallel_completions_log_one_certificate()
    {
        await using var store = await OpenAsync();
        var ready = await CreateReadyOrderAsync(store);
        Assert.True(await store.TryBeginFinalizeAsync(ready.Id, Ct));

        var completed = await RaceAsync(10, i => store.CompleteFinalizeAsync(ready.Id, Certificate($"1{i:x}"), Ct));

        Assert.Single(completed, c => c);
        Assert.Equal(1L, await ScalarAsync("SELECT COUNT(*) FROM certificates"));
        string serial = (await store.FindOrderAsync(ready.Id, Ct))!.CertificateSerial!;
        Assert.Equal(serial, await ScalarAsync("SELECT serial_hex FROM certificates"));
    }

    [Fact]
    public async Task A_serial_that_is_not_lower_case_hex_is_refused_before_anything_changes()
    {
        await using var store = await OpenAsync();
        var ready = await CreateReadyOrderAsync(store);
        Assert.True(await store.TryBeginFinalizeAsync(ready.Id, Ct));

        var ex = await Assert.ThrowsAsync<ArgumentException>(() => store.CompleteFinalizeAsync(ready.Id, Certificate("0A"), Ct));

        Assert.Equal("certificate", ex.ParamName);
        Assert.Equal(AcmeOrderStatus.Processing, (await store.FindOrderAsync(ready.Id, Ct))?.Status);
    }

    [Fact]
    public async Task An_abandoned_finalize_makes_the_order_ready_again()
    {
        await using var store = await OpenAsync();
        var ready = await CreateReadyOrderAsync(store);

        Assert.False(await store.AbandonFinalizeAsync(ready.Id, Ct));
        Assert.True(await store.TryBeginFinalizeAsync(ready.Id, Ct));
        Assert.True(await store.AbandonFinalizeAsync(ready.Id, Ct));
        Assert.False(await store.AbandonFinalizeAsync(ready.Id, Ct));

        Assert.Equal(AcmeOrderStatus.Ready, (await store.FindOrderAsync(ready.Id, Ct))?.Status);
        Assert.True(await store.TryBeginFinalizeAsync(ready.Id, Ct));
    }
}
