using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Runtime.Loader;
using System.Text;
using Backprop.Symbolic.Generators.Tests.Infrastructure;
using Backprop.Symbolic.GradientChecking;
using CsCheck;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Emit;
using Xunit;
using Xunit.Abstractions;

namespace Backprop.Symbolic.Generators.Tests.Properties;

/// <summary>
/// Property tests: random [Differentiable] programs (see <see cref="RandomProgramGenerator"/>), many per
/// compilation, whose generated gradients must return exactly the primal value and agree with central
/// finite differences at random points; where the generator also writes the forward mode
/// (<c>{Name}Derivative</c>), its directional derivatives are checked at the same points. Points where the
/// differences would straddle a branch switch or a kink of a non-smooth function are skipped (the probe
/// twin of each program detects them).
/// </summary>
/// <remarks>
/// Programs are deterministic for a given seed. Set the environment variable
/// <c>BACKPROP_PROPERTY_SEED</c> to a number to use another seed, or to <c>random</c> for a fresh one;
/// a failure message always names the seed and the test case that reproduce it. A run checks about
/// <see cref="DefaultPrograms"/> programs; set <c>BPS_PROPERTY_PROGRAMS</c> to a larger number for a longer
/// (nightly) run: every test case then runs as many rounds of batches as it takes to reach that number.
/// </remarks>
public sealed class GradientPropertyTests
{
    /// <summary>The seed used when <see cref="SeedVariable"/> is not set.</summary>
    public const ulong DefaultSeed = 20_250_611;

    /// <summary>Environment variable overriding <see cref="DefaultSeed"/>.</summary>
    public const string SeedVariable = "BACKPROP_PROPERTY_SEED";

    /// <summary>Environment variable asking for more programs per run than <see cref="DefaultPrograms"/>.</summary>
    public const string ProgramsVariable = "BPS_PROPERTY_PROGRAMS";

    /// <summary>The programs one round of every test case holds: eight double batches of 65 and two float batches of 44.</summary>
    public const int DefaultPrograms = (8 * 65) + (2 * 44);

    // Each round's batches get their own random streams; round 0 is the default run.
    private const int RoundStride = 64;

    private const double DoubleTolerance = 1e-5;

    // Float gradients are compared with central differences of the double-precision twin; float
    // rounding in the forward and backward sweeps dominates the error.
    private const double SingleTolerance = 1e-3;

    // Shrinking a failure to a minimal program compiles one candidate at a time; it is bounded.
    private const int MaxShrinkAttempts = 200;

    private static readonly TimeSpan MaxShrinkTime = TimeSpan.FromSeconds(20);

    private static readonly Lazy<ulong> BaseSeed = new(ReadSeed);

    private static readonly Lazy<int> Rounds = new(ReadRounds);

    private readonly ITestOutputHelper _output;

    public GradientPropertyTests(ITestOutputHelper output) => _output = output;

    // Eight double batches of 65 programs and two float batches of 44: about 600 programs per round.
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    [InlineData(6)]
    [InlineData(7)]
    public void Double_gradients_of_random_programs_match_central_differences(int batch) =>
        RunRounds(Precision.Double, batch, methods: 60, helpers: 5, pointsPerMethod: 5);

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public void Float_gradients_of_random_programs_match_central_differences(int batch) =>
        RunRounds(Precision.Single, batch, methods: 40, helpers: 4, pointsPerMethod: 4);

    private static int ReadRounds()
    {
        string? text = Environment.GetEnvironmentVariable(ProgramsVariable);
        if (string.IsNullOrWhiteSpace(text))
        {
            return 1;
        }
        if (!int.TryParse(text.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out int programs) || programs < 1)
        {
            throw new InvalidOperationException($"{ProgramsVariable} must be a positive number of programs, such as 20000; it is '{text}'.");
        }
        return (programs + DefaultPrograms - 1) / DefaultPrograms;
    }

    private void RunRounds(Precision precision, int batch, int methods, int helpers, int pointsPerMethod)
    {
        for (int round = 0; round < Rounds.Value; round++)
        {
            RunBatch(precision, batch + (round * RoundStride), methods, helpers, pointsPerMethod);
        }
    }

    private static ulong ReadSeed()
    {
        string? text = Environment.GetEnvironmentVariable(SeedVariable);
        if (string.IsNullOrWhiteSpace(text))
        {
            return DefaultSeed;
        }
        if (text.Trim().Equals("random", StringComparison.OrdinalIgnoreCase))
        {
            return (ulong)Random.Shared.NextInt64(1, long.MaxValue);
        }
        return ulong.Parse(text.Trim(), CultureInfo.InvariantCulture);
    }

    private static PCG BatchRandom(Precision precision, int batch, uint purpose) =>
        new((uint)((precision == Precision.Double ? 100 : 200) + (batch * 4) + purpose), BaseSeed.Value);

    private string Reproduce(Precision precision, int batch) =>
        $"seed {BaseSeed.Value} ({precision} programs, batch {batch}); reproduce with {SeedVariable}={BaseSeed.Value} " +
        (batch < RoundStride
            ? $"and the test case for batch {batch}"
            : $"{ProgramsVariable}={((batch / RoundStride) + 1) * DefaultPrograms} and the test case for batch {batch % RoundStride}");

    private void RunBatch(Precision precision, int batchIndex, int methods, int helpers, int pointsPerMethod)
    {
        var clock = Stopwatch.StartNew();
        ProgramBatch batch = RandomProgramGenerator.Batch(precision, methods, helpers)
            .Generate(BatchRandom(precision, batchIndex, 0), null, out _);

        // Points first, from the whole batch, so they do not depend on which methods compile.
        PCG pointRandom = BatchRandom(precision, batchIndex, 1);
        var points = new Dictionary<string, List<double[]>>();
        foreach (MethodSpec method in batch.AllMethods)
        {
            // A helper taking a span is checked through its callers, which hand it local arrays.
            points[method.Name] = method.TakesSpan
                ? new List<double[]>()
                : Enumerable.Range(0, pointsPerMethod).Select(_ => SamplePoint(method, pointRandom, precision)).ToList();
        }

        // Compile. Methods the generator rejects (or whose generated code does not compile) are a failure
        // of their own; they, and the methods that call them, are set aside so the rest is still checked.
        var report = new StringBuilder();
        ProgramBatch remaining = batch;
        Assembly? assembly = null;
        for (int attempt = 0; assembly is null; attempt++)
        {
            string source = ProgramRenderer.RenderBatch(remaining);
            try
            {
                assembly = GeneratorHarness.CompileAndLoad(source);
            }
            catch (Exception ex)
            {
                SortedSet<string> implicated = ImplicatedMethods(source);
                if (implicated.Count == 0 || attempt >= 3)
                {
                    Assert.Fail($"A batch of random programs did not compile with the generator and no method could be blamed ({Reproduce(precision, batchIndex)}).{Environment.NewLine}{Truncate(ex.Message, 30_000)}");
                }
                report.Append(DescribeCompileFailure(remaining, implicated, precision, batchIndex, points));
                remaining = Without(remaining, implicated);
            }
        }
        var loaded = new LoadedBatch(assembly, remaining);
        TimeSpan compileTime = clock.Elapsed;

        var failures = new List<(MethodSpec Method, double[] Point, string Detail)>();
        int total = 0, checkedPoints = 0, forwardChecked = 0;
        foreach (MethodSpec method in remaining.AllMethods)
        {
            foreach (double[] point in points[method.Name])
            {
                total++;
                PointResult result = PointChecker.Check(loaded, method, point);
                if (result.Outcome == Outcome.Passed)
                {
                    checkedPoints++;
                    forwardChecked += result.CheckedForwardMode ? 1 : 0;
                }
                else if (result.Outcome == Outcome.Failed)
                {
                    failures.Add((method, point, result.Detail));
                }
            }
        }

        string summary =
            $"{precision} batch {batchIndex}: {remaining.AllMethods.Count()} of {batch.AllMethods.Count()} programs compiled, " +
            $"{checkedPoints}/{total} points checked ({total - checkedPoints} skipped near a switch point; forward mode too at {forwardChecked}), " +
            $"{clock.Elapsed.TotalSeconds:F1} s ({compileTime.TotalSeconds:F1} s generating and compiling), seed {BaseSeed.Value}";
        _output.WriteLine(summary);
        if (failures.Count > 0)
        {
            report.Insert(0, DescribeNumericFailures(remaining, failures, precision, batchIndex, points));
        }
        if (report.Length > 0)
        {
            Assert.Fail(summary + Environment.NewLine + report);
        }
        Assert.True(
            checkedPoints >= 0.9 * total,
            $"Only {checkedPoints} of {total} points could be checked; the programs are too often near a kink, so the test lost its power ({Reproduce(precision, batchIndex)}).");
    }

    /// <summary>The batch without <paramref name="names"/> and without every method that calls them, transitively.</summary>
    private static ProgramBatch Without(ProgramBatch batch, IReadOnlySet<string> names)
    {
        var removed = new HashSet<string>(names);
        bool grew = true;
        while (grew)
        {
            grew = false;
            foreach (MethodSpec m in batch.AllMethods)
            {
                if (!removed.Contains(m.Name) && m.Callees().Overlaps(removed))
                {
                    removed.Add(m.Name);
                    grew = true;
                }
            }
        }
        return batch with
        {
            Helpers = batch.Helpers.Where(m => !removed.Contains(m.Name)).ToImmutableArray(),
            Methods = batch.Methods.Where(m => !removed.Contains(m.Name)).ToImmutableArray(),
        };
    }

    private static double[] SamplePoint(MethodSpec method, PCG pcg, Precision precision)
    {
        var point = new double[method.Parameters.Length];
        for (int i = 0; i < point.Length; i++)
        {
            double x = method.Parameters[i].IsInt
                ? RandomProgramGenerator.IntArgument.Generate(pcg, null, out _)
                : RandomProgramGenerator.Coordinate.Generate(pcg, null, out _);
            // Float programs get float-representable points, so the double twin sees the same inputs.
            point[i] = precision == Precision.Single ? (float)x : x;
        }
        return point;
    }

    // ---------------------------------------------------------------- reporting and shrinking

    private string DescribeCompileFailure(
        ProgramBatch batch, SortedSet<string> implicated, Precision precision, int batchIndex, Dictionary<string, List<double[]>> points)
    {
        var sb = new StringBuilder();
        sb.AppendLine();
        sb.AppendLine($"=== {implicated.Count} random programs did not compile with the generator ({Reproduce(precision, batchIndex)}).");
        sb.AppendLine($"Methods with errors: {string.Join(", ", implicated)}.");
        MethodSpec culprit = batch.AllMethods.First(m => implicated.Contains(m.Name));
        AppendShrunk(sb, batch, culprit, points[culprit.Name]);
        return sb.ToString();
    }

    private string DescribeNumericFailures(
        ProgramBatch batch, List<(MethodSpec Method, double[] Point, string Detail)> failures, Precision precision, int batchIndex,
        Dictionary<string, List<double[]>> points)
    {
        var sb = new StringBuilder();
        var methods = failures.Select(f => f.Method.Name).Distinct().ToList();
        sb.AppendLine($"=== {methods.Count} of {batch.AllMethods.Count()} random programs have wrong gradients ({Reproduce(precision, batchIndex)}).");
        // A method that calls a failing method may fail only because of it; say so.
        var failing = methods.ToHashSet();
        sb.AppendLine("Failing methods: " + string.Join(", ", methods.Select(name =>
        {
            var callees = batch.AllMethods.First(m => m.Name == name).Callees().Where(failing.Contains).Order(StringComparer.Ordinal).ToList();
            return callees.Count == 0 ? name : $"{name} (calls failing {string.Join(", ", callees)})";
        })) + ".");
        foreach (var f in failures.Take(6))
        {
            sb.AppendLine($"  {f.Method.Name} at {FormatPoint(f.Method, f.Point)}: {f.Detail}");
        }
        // Shrink the first method that fails on its own account, if there is one.
        MethodSpec first = failures.Select(f => f.Method).FirstOrDefault(m => !m.Callees().Overlaps(failing)) ?? failures[0].Method;
        AppendShrunk(sb, batch, first, points[first.Name]);
        return sb.ToString();
    }

    private void AppendShrunk(StringBuilder sb, ProgramBatch batch, MethodSpec method, IReadOnlyList<double[]> failingPoints)
    {
        // Candidates are checked at the method's sample points.
        var points = failingPoints.ToList();

        ProgramBatch original = batch.Isolate(method);
        MethodSpec current = method;
        int steps = 0, attempts = 0;
        var deadline = Stopwatch.StartNew();
        bool reproducesAlone = Reproduces(original, method, points, out _);
        if (reproducesAlone)
        {
            bool improved = true;
            while (improved && attempts < MaxShrinkAttempts && deadline.Elapsed < MaxShrinkTime)
            {
                improved = false;
                foreach (MethodSpec candidate in ProgramShrinker.Candidates(current))
                {
                    if (attempts++ >= MaxShrinkAttempts || deadline.Elapsed >= MaxShrinkTime)
                    {
                        break;
                    }
                    if (Reproduces(batch.Isolate(candidate), candidate, points, out _))
                    {
                        current = candidate;
                        steps++;
                        improved = true;
                        break;
                    }
                }
            }
        }

        ProgramBatch minimal = batch.Isolate(current);
        string minimalSource = ProgramRenderer.RenderBatch(minimal);
        Reproduces(minimal, current, points, out string minimalFailure);
        sb.AppendLine();
        sb.AppendLine(reproducesAlone
            ? $"--- Minimal failing program ({steps} shrink steps, {attempts} candidates tried) ---"
            : "--- Failing method with its helpers (it does not fail when compiled alone, so it was not shrunk) ---");
        sb.AppendLine(ProgramRenderer.RenderUserClass(minimal));
        sb.AppendLine("--- Its failure ---");
        sb.AppendLine(minimalFailure);
        sb.AppendLine("--- Generated code for it ---");
        sb.AppendLine(GeneratedCode(minimalSource, minimal));
        if (steps > 0)
        {
            sb.AppendLine("--- The original failing method and its helpers ---");
            sb.AppendLine(ProgramRenderer.RenderUserClass(original));
            sb.AppendLine("--- Generated code for the original ---");
            sb.AppendLine(GeneratedCode(ProgramRenderer.RenderBatch(original), original));
        }
    }

    /// <summary>True if <paramref name="method"/> in <paramref name="batch"/> is valid C# but fails.</summary>
    private static bool Reproduces(ProgramBatch batch, MethodSpec method, IReadOnlyList<double[]> points, out string failure)
    {
        string source = ProgramRenderer.RenderBatch(batch);
        GeneratorRun run = GeneratorHarness.Run(source);
        var inputProblems = run.InputCompilation.GetDiagnostics()
            .Where(d => d.Severity == DiagnosticSeverity.Error || d.Id == "CS0162")
            .ToList();
        if (inputProblems.Count > 0)
        {
            failure = "The program itself is invalid: " + string.Join("; ", inputProblems.Take(3));
            return false;
        }
        if (!run.GeneratorDiagnostics.IsEmpty || !run.CompilationErrors.IsEmpty || run.RunResult.Results[0].Exception is not null)
        {
            failure = "It does not compile with the generator:" + Environment.NewLine +
                string.Join(Environment.NewLine, run.GeneratorDiagnostics.Concat(run.CompilationErrors).Select(d => "  " + d)) +
                (run.RunResult.Results[0].Exception is { } ex ? Environment.NewLine + "  the generator threw " + ex : "");
            return true;
        }
        var loaded = new LoadedBatch(Load(run), batch);
        foreach (double[] point in points)
        {
            PointResult result = PointChecker.Check(loaded, method, point);
            if (result.Outcome == Outcome.Failed)
            {
                failure = $"{method.Name} at {FormatPoint(method, point)}: {result.Detail}";
                return true;
            }
        }
        failure = "No failure.";
        return false;
    }

    /// <summary>Emits a run's output compilation and loads it into a collectible context.</summary>
    private static Assembly Load(GeneratorRun run)
    {
        using var stream = new MemoryStream();
        EmitResult emit = run.OutputCompilation.Emit(stream);
        if (!emit.Success)
        {
            throw new InvalidOperationException("Emit failed: " + string.Join("; ", emit.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error)));
        }
        stream.Position = 0;
        return new AssemblyLoadContext("PropertyShrink." + Guid.NewGuid().ToString("N"), isCollectible: true).LoadFromStream(stream);
    }

    private static string GeneratedCode(string source, ProgramBatch batch)
    {
        GeneratorRun run;
        try
        {
            run = GeneratorHarness.Run(source);
        }
        catch (Exception ex)
        {
            return "(running the generator failed: " + ex.Message + ")";
        }
        var sb = new StringBuilder();
        foreach (Diagnostic d in run.GeneratorDiagnostics)
        {
            sb.AppendLine("generator diagnostic: " + d);
        }
        foreach (MethodSpec m in batch.AllMethods)
        {
            sb.AppendLine($"// ---- {ProgramRenderer.HintSuffix(m.Name)}");
            try
            {
                sb.AppendLine(run.GeneratedSource(ProgramRenderer.HintSuffix(m.Name)));
            }
            catch (Exception ex)
            {
                sb.AppendLine("(no generated source: " + ex.Message + ")");
            }
        }
        return sb.ToString();
    }

    /// <summary>Names of the methods that generator diagnostics or compile errors point into.</summary>
    private static SortedSet<string> ImplicatedMethods(string source)
    {
        var names = new SortedSet<string>(StringComparer.Ordinal);
        GeneratorRun run;
        try
        {
            run = GeneratorHarness.Run(source);
        }
        catch (Exception)
        {
            return names;
        }
        foreach (Diagnostic d in run.GeneratorDiagnostics.Concat(run.CompilationErrors))
        {
            if (d.Severity != DiagnosticSeverity.Error || !d.Location.IsInSource || d.Location.SourceTree is not { } tree)
            {
                continue;
            }
            string file = tree.FilePath.Replace('\\', '/');
            string fileName = file[(file.LastIndexOf('/') + 1)..];
            string marker = ProgramRenderer.UserClass + ".";
            int at = fileName.IndexOf(marker, StringComparison.Ordinal);
            if (fileName.EndsWith(".g.cs", StringComparison.Ordinal) && at >= 0)
            {
                names.Add(fileName[(at + marker.Length)..^".g.cs".Length]);
                continue;
            }
            SyntaxNode node = tree.GetRoot().FindNode(d.Location.SourceSpan);
            if (node.AncestorsAndSelf().OfType<MethodDeclarationSyntax>().FirstOrDefault() is { } declaration)
            {
                names.Add(declaration.Identifier.Text);
            }
        }
        return names;
    }

    private static string FormatPoint(MethodSpec method, double[] point) =>
        "(" + string.Join(", ", method.Parameters.Select((p, i) => $"{p.Name} = {point[i].ToString("R", CultureInfo.InvariantCulture)}")) + ")";

    private static string Truncate(string text, int max) => text.Length <= max ? text : text[..max] + Environment.NewLine + "...";

    // ---------------------------------------------------------------- evaluation

    private enum Outcome
    {
        Passed,
        Skipped,
        Failed,
    }

    private readonly record struct PointResult(Outcome Outcome, string Detail)
    {
        public static readonly PointResult Pass = new(Outcome.Passed, "");

        public static readonly PointResult PassWithForwardMode = new(Outcome.Passed, "forward");

        public bool CheckedForwardMode => Outcome == Outcome.Passed && Detail == "forward";

        public static PointResult Skip(string why) => new(Outcome.Skipped, why);

        public static PointResult Fail(string why) => new(Outcome.Failed, why);
    }

    /// <summary>A compiled batch: the user class with the generated gradients, and the probe twins.</summary>
    private sealed class LoadedBatch
    {
        public LoadedBatch(Assembly assembly, ProgramBatch batch)
        {
            Batch = batch;
            User = assembly.GetType($"{ProgramRenderer.Namespace}.{ProgramRenderer.UserClass}", throwOnError: true)!;
            Probe = assembly.GetType($"{ProgramRenderer.Namespace}.{ProgramRenderer.ProbeClass}", throwOnError: true)!;
            Type sig = assembly.GetType($"{ProgramRenderer.Namespace}.{ProgramRenderer.SigClass}", throwOnError: true)!;
            SingleProbe = assembly.GetType($"{ProgramRenderer.Namespace}.{ProgramRenderer.SingleProbeClass}", throwOnError: false);
            Hash = sig.GetField("Hash")!;
            Reset = sig.GetMethod("Reset")!;
        }

        public ProgramBatch Batch { get; }

        public Type User { get; }

        public Type Probe { get; }

        public FieldInfo Hash { get; }

        /// <summary>The float probe twins, in float batches.</summary>
        public Type? SingleProbe { get; }

        public MethodInfo Reset { get; }
    }

    private static class PointChecker
    {
        private const BindingFlags PublicStatic = BindingFlags.Public | BindingFlags.Static;

        public static PointResult Check(LoadedBatch loaded, MethodSpec method, double[] point)
        {
            bool single = loaded.Batch.Precision == Precision.Single;
            Type t = single ? typeof(float) : typeof(double);
            MethodInfo primal = loaded.User.GetMethod(method.Name, PublicStatic)
                ?? throw new InvalidOperationException($"The primal {method.Name} is missing.");
            MethodInfo probe = loaded.Probe.GetMethod(method.Name, PublicStatic)
                ?? throw new InvalidOperationException($"The probe {method.Name} is missing.");
            MethodInfo? gradient = loaded.User.GetMethod(method.Name + "Gradient", PublicStatic);
            if (gradient is null)
            {
                return PointResult.Fail($"The generator did not add a public static {method.Name}Gradient.");
            }

            // The gradient's shape: the original parameters, then one out adjoint per floating parameter.
            var floating = method.Parameters.Select((p, i) => (p, i)).Where(x => !x.p.IsInt).ToList();
            ParameterInfo[] ps = gradient.GetParameters();
            string expectedShape = string.Join(", ", method.Parameters.Select(p => (p.IsInt ? typeof(int).Name : t.Name) + " " + p.Name)
                .Concat(floating.Select(f => $"out {t.Name} {AdjointName(f.p.Name)}")));
            string actualShape = string.Join(", ", ps.Select(p => (p.IsOut ? "out " : "") + (p.ParameterType.IsByRef ? p.ParameterType.GetElementType()!.Name : p.ParameterType.Name) + " " + p.Name));
            if (expectedShape != actualShape || gradient.ReturnType != t)
            {
                return PointResult.Fail($"{method.Name}Gradient has the signature ({actualShape}) returning {gradient.ReturnType.Name}; expected ({expectedShape}) returning {t.Name}.");
            }

            // Primal and gradient in the program's own precision.
            object[] primalArgs = Box(method, point, single);
            double value = ToDouble(primal.Invoke(null, primalArgs));
            if (!double.IsFinite(value))
            {
                return PointResult.Skip("non-finite primal value");
            }
            object[] gradientArgs = new object[method.Parameters.Length + floating.Count];
            primalArgs.CopyTo(gradientArgs, 0);
            for (int j = 0; j < floating.Count; j++)
            {
                gradientArgs[method.Parameters.Length + j] = single ? (object)0f : 0.0;
            }
            double returned = ToDouble(gradient.Invoke(null, gradientArgs));
            if (!returned.Equals(value))
            {
                return PointResult.Fail(
                    $"{method.Name}Gradient returned {Fmt(returned)} but {method.Name} returns {Fmt(value)}; they must be identical.");
            }
            double[] analytic = floating.Select((_, j) => ToDouble(gradientArgs[method.Parameters.Length + j])).ToArray();

            // The reference function of the floating coordinates: the primal itself for double programs,
            // the double-precision probe twin for float programs.
            double[] active = floating.Select(f => point[f.i]).ToArray();
            double Probe(double[] x, out ulong hash)
            {
                loaded.Reset.Invoke(null, null);
                double v = ToDouble(probe.Invoke(null, Box(method, Substitute(point, floating, x), single: false)));
                hash = (ulong)loaded.Hash.GetValue(null)!;
                return v;
            }
            double Reference(double[] x) => single
                ? Probe(x, out _)
                : ToDouble(primal.Invoke(null, Box(method, Substitute(point, floating, x), single: false)));

            // Skip points whose central differences would straddle a switch point: every evaluation of the
            // differences must take the same decisions as the centre. A float program must also take the
            // decisions its double twin takes at the centre.
            Probe(active, out ulong centre);
            if (single)
            {
                MethodInfo singleProbe = loaded.SingleProbe!.GetMethod(method.Name, PublicStatic)
                    ?? throw new InvalidOperationException($"The float probe {method.Name} is missing.");
                loaded.Reset.Invoke(null, null);
                singleProbe.Invoke(null, Box(method, point, single: true));
                if ((ulong)loaded.Hash.GetValue(null)! != centre)
                {
                    return PointResult.Skip("the float program and its double twin take different branches");
                }
            }
            for (int i = 0; i < active.Length; i++)
            {
                double step = FiniteDifferences.DefaultStep * Math.Max(1.0, Math.Abs(active[i]));
                foreach (double delta in new[] { step, -step })
                {
                    double[] x = (double[])active.Clone();
                    x[i] += delta;
                    double v = Probe(x, out ulong hash);
                    if (hash != centre || !double.IsFinite(v))
                    {
                        return PointResult.Skip("central differences straddle a switch point");
                    }
                }
            }

            double[] numeric = FiniteDifferences.Gradient(Reference, active);
            double error = GradientCheck.MaxRelativeError(analytic, numeric);
            double tolerance = single ? SingleTolerance : DoubleTolerance;
            if (!(error <= tolerance))
            {
                var sb = new StringBuilder();
                sb.Append($"mixed relative error {Fmt(error)} > {Fmt(tolerance)}; value {Fmt(value)};");
                for (int j = 0; j < floating.Count; j++)
                {
                    sb.Append($" {AdjointName(floating[j].p.Name)}: generated {Fmt(analytic[j])}, central differences {Fmt(numeric[j])};");
                }
                return PointResult.Fail(sb.ToString());
            }
            return CheckForwardMode(loaded, method, point, primalArgs, value, analytic, numeric, floating, t)
                ?? PointResult.PassWithForwardMode;
        }

        /// <summary>
        /// If the generator also wrote the forward mode, <c>{Name}Derivative(parameters..., one direction
        /// component per floating parameter, out derivative)</c>, checks it along a direction derived from
        /// the point: same value as the primal, and the directional derivative agrees with the gradient
        /// (to rounding) and with central differences (to their tolerance). Returns null when the forward
        /// mode was checked and passed, <see cref="PointResult.Pass"/> when there is no forward mode.
        /// </summary>
        private static PointResult? CheckForwardMode(
            LoadedBatch loaded, MethodSpec method, double[] point, object[] primalArgs, double value,
            double[] analytic, double[] numeric, List<(Param p, int i)> floating, Type t)
        {
            MethodInfo? forward = loaded.User.GetMethod(method.Name + "Derivative", PublicStatic);
            if (forward is null)
            {
                return PointResult.Pass;
            }
            ParameterInfo[] ps = forward.GetParameters();
            bool shape = forward.ReturnType == t
                && ps.Length == method.Parameters.Length + floating.Count + 1
                && ps.Take(method.Parameters.Length).Select(p => p.ParameterType).SequenceEqual(primalArgs.Select(a => a.GetType()))
                && ps.Skip(method.Parameters.Length).Take(floating.Count).All(p => p.ParameterType == t)
                && ps[^1].IsOut && ps[^1].ParameterType == t.MakeByRefType();
            if (!shape)
            {
                return PointResult.Fail($"{method.Name}Derivative has the signature ({string.Join(", ", ps.Select(p => p.ParameterType.Name + " " + p.Name))}); " +
                    $"expected the parameters, one {t.Name} direction component per floating parameter, then out {t.Name}.");
            }

            // A direction that is a deterministic function of the point.
            var pcg = new PCG(3, (ulong)point.Aggregate(17L, (h, x) => (h * 31) + BitConverter.DoubleToInt64Bits(x)));
            bool single = t == typeof(float);
            double[] direction = floating.Select(f => RandomProgramGenerator.Coordinate.Generate(pcg, null, out _))
                .Select(d => single ? (float)d : d).ToArray();
            object[] args = new object[ps.Length];
            primalArgs.CopyTo(args, 0);
            for (int j = 0; j < floating.Count; j++)
            {
                args[method.Parameters.Length + j] = single ? (object)(float)direction[j] : direction[j];
            }
            args[^1] = single ? (object)0f : 0.0;
            double returned = ToDouble(forward.Invoke(null, args));
            if (!returned.Equals(value))
            {
                return PointResult.Fail($"{method.Name}Derivative returned {Fmt(returned)} but {method.Name} returns {Fmt(value)}; they must be identical.");
            }
            double derivative = ToDouble(args[^1]);
            double fromGradient = 0, fromDifferences = 0, scale = 1;
            for (int j = 0; j < floating.Count; j++)
            {
                fromGradient += analytic[j] * direction[j];
                fromDifferences += numeric[j] * direction[j];
                scale = Math.Max(scale, Math.Abs(analytic[j] * direction[j]));
            }
            double againstGradient = Math.Abs(derivative - fromGradient) / scale;
            double againstDifferences = GradientCheck.MaxRelativeError(new[] { derivative }, new[] { fromDifferences });
            double tolerance = single ? SingleTolerance : DoubleTolerance;
            double roundingTolerance = single ? 1e-4 : 1e-9;
            if (!(againstGradient <= roundingTolerance) || !(againstDifferences <= tolerance))
            {
                return PointResult.Fail(
                    $"forward mode along ({string.Join(", ", direction.Select(Fmt))}): {method.Name}Derivative gives {Fmt(derivative)}, " +
                    $"the generated gradient gives {Fmt(fromGradient)} (error {Fmt(againstGradient)}, tolerance {Fmt(roundingTolerance)}), " +
                    $"central differences give {Fmt(fromDifferences)} (error {Fmt(againstDifferences)}, tolerance {Fmt(tolerance)}).");
            }
            return null;
        }

        private static double[] Substitute(double[] point, List<(Param p, int i)> floating, double[] active)
        {
            double[] full = (double[])point.Clone();
            for (int j = 0; j < floating.Count; j++)
            {
                full[floating[j].i] = active[j];
            }
            return full;
        }

        private static object[] Box(MethodSpec method, double[] point, bool single)
        {
            var args = new object[point.Length];
            for (int i = 0; i < point.Length; i++)
            {
                args[i] = method.Parameters[i].IsInt ? (int)point[i] : single ? (float)point[i] : (object)point[i];
            }
            return args;
        }

        private static double ToDouble(object? value) => value switch
        {
            double d => d,
            float f => f,
            _ => throw new InvalidOperationException($"Unexpected value {value ?? "null"}."),
        };

        private static string Fmt(double value) => value.ToString("R", CultureInfo.InvariantCulture);
    }

    /// <summary><c>d</c> + the parameter name with its first letter upper-cased.</summary>
    private static string AdjointName(string parameter) =>
        "d" + char.ToUpperInvariant(parameter[0]) + parameter[1..];
}
