namespace Backprop.Symbolic.Generators;

/// <summary>Names of the incremental pipeline's steps, for <c>WithTrackingName</c> and the caching tests.</summary>
public static class TrackingNames
{
    /// <summary>Each [Differentiable] method parsed and lowered into a <c>MethodResult</c>.</summary>
    public const string Methods = "Backprop.Symbolic.Methods";

    /// <summary>The models of the methods that had no errors.</summary>
    public const string Models = "Backprop.Symbolic.Models";

    /// <summary>The diagnostics of every method.</summary>
    public const string Diagnostics = "Backprop.Symbolic.Diagnostics";

    /// <summary>The checks of each [CustomGradient] declaration.</summary>
    public const string CustomGradients = "Backprop.Symbolic.CustomGradients";

    /// <summary>The generated source files.</summary>
    public const string Sources = "Backprop.Symbolic.Sources";
}
