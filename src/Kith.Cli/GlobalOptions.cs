using System.CommandLine;
using Kith.Inventory;
using Kith.Operator;
using Spectre.Console;

namespace Kith.Cli;

/// <summary>Options every command understands, and what they resolve to.</summary>
internal static class GlobalOptions
{
    public const string InventoryEnvironmentVariable = "KITH_INVENTORY";

    public static readonly Option<string?> State = new("--state")
    {
        Description = "State folder (Root CA, kith.db, Host CAs, output). Default: $KITH_STATE or ~/.kith",
        Recursive = true,
    };

    public static readonly Option<string?> Inventory = new("--inventory", "-f")
    {
        Description = "The inventory. Default: $KITH_INVENTORY or ./kith.yaml",
        Recursive = true,
    };

    public static readonly Option<string?> PassphraseFile = new("--passphrase-file")
    {
        Description = "File whose first line is the Root key passphrase (else $KITH_ROOT_PASSPHRASE, else a prompt)",
        Recursive = true,
    };

    public static readonly Option<bool> Json = new("--json")
    {
        Description = "Machine-readable JSON output",
        Recursive = true,
    };

    public static void AddTo(RootCommand root)
    {
        root.Options.Add(State);
        root.Options.Add(Inventory);
        root.Options.Add(PassphraseFile);
        root.Options.Add(Json);
    }

    public static StateFolder StateFolder(ParseResult parse) => Operator.StateFolder.Resolve(parse.GetValue(State));

    public static string InventoryPath(ParseResult parse) =>
        parse.GetValue(Inventory) ?? Environment.GetEnvironmentVariable(InventoryEnvironmentVariable) ?? "kith.yaml";

    public static FleetInventory LoadInventory(ParseResult parse)
    {
        var path = InventoryPath(parse);
        if (!File.Exists(path) && !Directory.Exists(path))
        {
            throw new KithException($"{path}: no such inventory; create one with `kith init` or name it with -f FILE");
        }

        return InventoryLoader.LoadFile(path);
    }

    public static Passphrase Passphrase(ParseResult parse) => new(parse.GetValue(PassphraseFile), Prompt);

    private static string? Prompt(bool confirm)
    {
        if (Console.IsInputRedirected)
        {
            return null;
        }

        var first = AnsiConsole.Prompt(new TextPrompt<string>("Root key passphrase:").Secret());
        if (confirm)
        {
            var second = AnsiConsole.Prompt(new TextPrompt<string>("Repeat the passphrase:").Secret());
            if (first != second)
            {
                throw new KithException("the two passphrases differ; nothing was created");
            }
        }

        return first;
    }
}
