using BenchmarkDotNet.Running;

// Kernels: dotnet run -c Release --project bench/CsmPayments.Bench -- --filter '*'
// The whole-run harness for demo generation, import and reports is bench/whole-run.sh (see bench/README.md).
// The load generator for the HTTP API is bench/ingest.sh, which runs: dotnet run … -- ingest --phase usage|segment|webhooks …
// The direct generator for the cycle benchmark (bench/cycle-large.sh): dotnet … CsmPayments.Bench.dll generate --accounts N …
if (args.Length > 0 && args[0] == "generate") return await CsmPayments.Bench.Generate.GenerateCommand.RunAsync(args[1..]);
// The cycle's stages without collections, for the largest books: dotnet … CsmPayments.Bench.dll cycle --appsettings … --as-of D
if (args.Length > 0 && args[0] == "cycle") return await CsmPayments.Bench.Generate.StagesCommand.RunAsync(args[1..]);
if (args.Length > 0 && args[0] == "ingest") return await CsmPayments.Bench.Ingest.IngestLoad.RunAsync(args[1..]);
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
return 0;
