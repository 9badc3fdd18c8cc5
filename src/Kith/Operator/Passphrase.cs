using Kith.Files;

namespace Kith.Operator;

/// <summary>
/// Where the Root key's passphrase comes from, in order: --passphrase-file, $KITH_ROOT_PASSPHRASE, a prompt.
/// It is only asked for when the Root must sign.
/// </summary>
public sealed class Passphrase
{
    public const string EnvironmentVariable = "KITH_ROOT_PASSPHRASE";

    /// <summary>Below this a passphrase is refused when a new Root is made.</summary>
    public const int MinimumLength = 8;

    private readonly string? file;
    private readonly Func<bool, string?>? prompt;
    private string? cached;

    /// <param name="prompt">Asks the user (argument: confirm twice); null when there is no terminal.</param>
    public Passphrase(string? file, Func<bool, string?>? prompt)
    {
        this.file = file;
        this.prompt = prompt;
    }

    /// <summary>
    /// True when <see cref="Get"/> can obtain a passphrase without failing for want of one: a file, the environment
    /// variable, or a terminal to ask on. Lets a step that only may sign (the Root CRL's renewal) warn instead.
    /// </summary>
    public bool HasSource =>
        cached is not null || file is not null || Environment.GetEnvironmentVariable(EnvironmentVariable) is not null || (prompt is not null && !Console.IsInputRedirected);

    public string Get(bool creating)
    {
        if (cached is not null)
        {
            return cached;
        }

        var value = Read(creating);
        if (string.IsNullOrEmpty(value))
        {
            throw new KithException($"the Root key passphrase is empty: give it with --passphrase-file FILE, ${EnvironmentVariable}, or at the prompt");
        }

        if (creating && value.Length < MinimumLength)
        {
            throw new KithException($"the Root key passphrase must have at least {MinimumLength} characters");
        }

        cached = value;
        return value;
    }

    private string? Read(bool creating)
    {
        if (file is not null)
        {
            // The first line only, so a trailing newline from `echo > file` does not become part of it.
            var text = InputFile.ReadText(file, maxBytes: 4096);
            return text.Split('\n')[0].TrimEnd('\r');
        }

        var environment = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (environment is not null)
        {
            return environment;
        }

        return prompt?.Invoke(creating)
            ?? throw new KithException($"the Root key passphrase is needed: give it with --passphrase-file FILE or ${EnvironmentVariable} (no terminal to ask on)");
    }
}
