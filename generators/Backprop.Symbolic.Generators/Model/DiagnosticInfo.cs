namespace Backprop.Symbolic.Generators.Model;

/// <summary>Where a diagnostic points, as plain values.</summary>
public sealed record LocationInfo(string FilePath, int Start, int Length, int StartLine, int StartCharacter, int EndLine, int EndCharacter);

/// <summary>A diagnostic as plain values: the descriptor's ID, its message arguments and its location.</summary>
public sealed record DiagnosticInfo(string Id, EquatableArray<string> Arguments, LocationInfo? Location);

/// <summary>The result of parsing one [Differentiable] method: a model, or diagnostics, or both empty.</summary>
public sealed record MethodResult(MethodModel? Model, EquatableArray<DiagnosticInfo> Diagnostics);
