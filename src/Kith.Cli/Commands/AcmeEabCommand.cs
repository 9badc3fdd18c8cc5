using System.Buffers.Text;
using System.CommandLine;
using System.Security.Cryptography;
using Kith.Acme.Store;
using Kith.Cli.Output;

namespace Kith.Cli.Commands;

/// <summary>
/// <c>kith acme eab create|list</c>: External Account Binding keys (RFC 8555 §7.3.4). With
/// <c>acme_external_account_required: true</c> the agent registers only ACME accounts that prove they hold one.
/// </summary>
internal static class AcmeEabCommand
{
    private const int KidBytes = 16;
    private const int HmacKeyBytes = 32;

    public static Command Create(TextWriter output)
    {
        var command = new Command("eab", "External Account Binding keys: what an ACME client needs to register when the agent requires one");
        command.Subcommands.Add(CreateCreate(output));
        command.Subcommands.Add(CreateList(output));
        return command;
    }

    private static Command CreateCreate(TextWriter output)
    {
        var command = new Command("create", "Make a new EAB key (a kid and a 32-byte HMAC key), store it, and print it with the certbot and lego flags");
        command.SetAction(async (parse, cancellationToken) =>
        {
            var folder = AcmeCommand.ExistingFolder(parse);
            var key = new AcmeExternalAccountKey(
                Base64Url.EncodeToString(FlagSafeRandomBytes(KidBytes)),
                FlagSafeRandomBytes(HmacKeyBytes),
                DateTimeOffset.UtcNow,
                null);
            await using (var store = await AcmeStoreFactory.OpenAsync(folder.Store))
            {
                await store.AddExternalAccountKeyAsync(key, cancellationToken);
            }

            var hmac = Base64Url.EncodeToString(key.HmacKey);
            if (parse.GetValue(GlobalOptions.Json))
            {
                JsonOutput.Write(output, new EabKeyJson(key.Kid, hmac, key.CreatedAt, null), KithJsonContext.Default.EabKeyJson);
                return KithCli.Success;
            }

            await output.WriteLineAsync($"kid       {key.Kid}");
            await output.WriteLineAsync($"hmac key  {hmac}");
            await output.WriteLineAsync("The HMAC key is shown only now (keep it secret); each key registers one ACME account.");
            await output.WriteLineAsync($"certbot:  --eab-kid {key.Kid} --eab-hmac-key {hmac}");
            await output.WriteLineAsync($"lego:     --eab --kid {key.Kid} --hmac {hmac}");
            return KithCli.Success;
        });
        return command;
    }

    private static Command CreateList(TextWriter output)
    {
        var command = new Command("list", "List the EAB keys (never their HMAC keys): kid, created, the account bound to it");
        command.SetAction(async (parse, cancellationToken) =>
        {
            var folder = AcmeCommand.ExistingFolder(parse);
            IReadOnlyList<AcmeExternalAccountKey> keys;
            await using (var store = await AcmeStoreFactory.OpenAsync(folder.Store))
            {
                keys = await store.ListExternalAccountKeysAsync(cancellationToken);
            }

            if (parse.GetValue(GlobalOptions.Json))
            {
                JsonOutput.Write(output, keys.Select(k => new EabKeyJson(k.Kid, null, k.CreatedAt, k.BoundAccountId)).ToList(), KithJsonContext.Default.ListEabKeyJson);
                return KithCli.Success;
            }

            var table = new TextTable("KID", "CREATED", "ACCOUNT");
            foreach (var key in keys)
            {
                table.Add(key.Kid, key.CreatedAt.ToString("yyyy-MM-dd HH:mm", System.Globalization.CultureInfo.InvariantCulture), key.BoundAccountId ?? "(unused)");
            }

            table.WriteTo(output);
            await output.WriteLineAsync($"{table.Count} key(s)");
            return KithCli.Success;
        });
        return command;
    }

    /// <summary>
    /// Random bytes whose base64url form does not start with '-': certbot and lego would read such a kid or HMAC key
    /// as an option ("--eab-kid: expected one argument"). Drawing again costs nothing of the key's strength worth counting.
    /// </summary>
    private static byte[] FlagSafeRandomBytes(int count)
    {
        while (true)
        {
            var bytes = RandomNumberGenerator.GetBytes(count);
            if (bytes[0] >> 2 != 62)
            {
                return bytes;
            }
        }
    }
}
