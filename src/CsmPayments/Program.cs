using CsmPayments.Cli;

var context = new CliContext(CliContext.BuildConfiguration(), TimeProvider.System, Console.Out, Console.Error,
    interactive: !Console.IsOutputRedirected);
using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) => { e.Cancel = true; cancel.Cancel(); };
return await CsmCli.RunAsync(args, context, cancel.Token);
