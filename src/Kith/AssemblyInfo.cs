using System.Runtime.Versioning;

// kith manages Unix machines: file modes, owners, symlinks and systemd. Windows is not a target.
[assembly: UnsupportedOSPlatform("windows")]
