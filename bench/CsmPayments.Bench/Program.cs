using BenchmarkDotNet.Running;

// Kernels: dotnet run -c Release --project bench/CsmPayments.Bench -- --filter '*'
// The whole-run harness for demo generation, import and reports is bench/whole-run.sh (see bench/README.md).
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
