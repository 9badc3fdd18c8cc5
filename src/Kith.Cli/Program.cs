using Kith.Cli;

return await KithCli.RunAsync(args);
