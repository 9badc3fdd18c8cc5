namespace Kith.IntegrationTests.Acme.Clients;

/// <summary>
/// Where an ACME client saved what it got: the leaf alone, the CA certificates after it (the chain), leaf and chain
/// together, and the private key. A path may not exist when the run failed.
/// </summary>
internal sealed record IssuedFiles(string Certificate, string Chain, string FullChain, string Key);

/// <summary>One client run and the files it should have written.</summary>
internal sealed record IssuanceRun(ClientRun Run, IssuedFiles Files)
{
    public bool Succeeded => Run.Succeeded && File.Exists(Files.Certificate);

    public override string ToString() => Run.ToString();
}
