using Microsoft.CodeAnalysis;

namespace Backprop.Symbolic.Generators.Diagnostics;

/// <summary>
/// Every diagnostic the generator reports. IDs are never reused; each has a section in README.md
/// (the help link) and a line in AnalyzerReleases.*.md.
/// </summary>
public static class DiagnosticDescriptors
{
    private const string Category = "Backprop.Symbolic";
    private const string HelpBase = "https://github.com/backprop-symbolic/backprop-symbolic/blob/main/README.md#";

    private static DiagnosticDescriptor Error(string id, string title, string message) =>
        new(id, title, message, Category, DiagnosticSeverity.Error, isEnabledByDefault: true,
            helpLinkUri: HelpBase + id.ToLowerInvariant());

    /// <summary>BPS0001: a type containing a [Differentiable] method is not partial.</summary>
    public static readonly DiagnosticDescriptor TypeNotPartial = Error(
        "BPS0001",
        "Containing type must be partial",
        "Type '{0}' must be declared partial because it contains the [Differentiable] method '{1}'; add the 'partial' modifier to '{0}' and every type that contains it");

    /// <summary>BPS0002: a [Differentiable] method is not static.</summary>
    public static readonly DiagnosticDescriptor MethodNotStatic = Error(
        "BPS0002",
        "Differentiable method must be static",
        "[Differentiable] method '{0}' must be static; make it static and pass any state it reads as parameters");

    /// <summary>BPS0003: a [Differentiable] method has no body to differentiate.</summary>
    public static readonly DiagnosticDescriptor MethodHasNoBody = Error(
        "BPS0003",
        "Differentiable method must have a body",
        "[Differentiable] method '{0}' has no body to differentiate; give it a block or expression body");

    /// <summary>BPS0004: a statement kind the generator cannot differentiate.</summary>
    public static readonly DiagnosticDescriptor UnsupportedStatement = Error(
        "BPS0004",
        "Statement is not differentiable",
        "{0} in a [Differentiable] method; {1}");

    /// <summary>BPS0005: an expression kind the generator cannot differentiate.</summary>
    public static readonly DiagnosticDescriptor UnsupportedExpression = Error(
        "BPS0005",
        "Expression is not differentiable",
        "{0} in a [Differentiable] method; {1}");

    /// <summary>BPS0006: an active argument flows into a method with no known derivative.</summary>
    public static readonly DiagnosticDescriptor NoDerivative = Error(
        "BPS0006",
        "Call has no known derivative",
        "'{0}' has no known derivative, but its argument '{1}' depends on the differentiated parameters; mark '{0}' [Differentiable], or compute the value outside and pass it in as a parameter that is not differentiated");

    /// <summary>BPS0007: the generated member's name is already taken.</summary>
    public static readonly DiagnosticDescriptor GeneratedNameTaken = Error(
        "BPS0007",
        "Generated member name is already in use",
        "Type '{0}' already has a member named '{1}', which the gradient of '{2}' needs; rename that member or the [Differentiable] method");

    /// <summary>BPS0008: an attribute argument names no parameter of the method.</summary>
    public static readonly DiagnosticDescriptor UnknownParameterName = Error(
        "BPS0008",
        "Attribute names no parameter",
        "[Differentiable] names '{0}', but '{1}' has no parameter of that name; use nameof(parameter) with one of: {2}");

    /// <summary>BPS0009: an attribute argument names a parameter that cannot be differentiated.</summary>
    public static readonly DiagnosticDescriptor ParameterNotDifferentiable = Error(
        "BPS0009",
        "Parameter cannot be differentiated",
        "Parameter '{0}' has type '{1}', which cannot be differentiated; only float and double parameters, and spans and arrays of them, can be named in [Differentiable]");

    /// <summary>BPS0010: a parameter whose type or passing mode the generator does not support.</summary>
    public static readonly DiagnosticDescriptor UnsupportedParameter = Error(
        "BPS0010",
        "Parameter is not supported",
        "Parameter '{0}' of type '{1}' is not supported in a [Differentiable] method; {2}");

    /// <summary>BPS0011: the return type is not float, double or Tensor.</summary>
    public static readonly DiagnosticDescriptor UnsupportedReturnType = Error(
        "BPS0011",
        "Return type must be float, double or Tensor",
        "[Differentiable] method '{0}' returns '{1}'; it must return float or double (a loss) or Tensor (a layer)");

    /// <summary>BPS0012: a generated adjoint parameter name collides with a parameter of the method.</summary>
    public static readonly DiagnosticDescriptor AdjointNameClash = Error(
        "BPS0012",
        "Adjoint parameter name clashes with a parameter",
        "The adjoint of parameter '{0}' would be named '{1}', which is already the name of a parameter or of another adjoint of '{2}'; rename one of the parameters");

    /// <summary>BPS0013: an active value flows into a parameter the callee does not differentiate.</summary>
    public static readonly DiagnosticDescriptor ArgumentNotDifferentiated = Error(
        "BPS0013",
        "Argument is not differentiated by the callee",
        "Argument '{0}' depends on the differentiated parameters, but '{1}' does not differentiate its parameter '{2}'; {3}");

    /// <summary>BPS0013's advice for a [Differentiable] callee: name the parameter in its attribute.</summary>
    internal static string AddToDifferentiable(string parameter) =>
        "add '" + parameter + "' to the callee's [Differentiable] or pass a value that does not depend on the differentiated parameters";

    /// <summary>BPS0013's advice for a [CustomGradient] callee with tensors: it has partials only for Tensor and float parameters.</summary>
    internal const string CustomTensorPartialsOnly =
        "its [CustomGradient] methods have partials only for its Tensor and float parameters, so pass the values as a Tensor, or pass a value that does not depend on the differentiated parameters";

    /// <summary>BPS0014: a [Differentiable] callee could not be differentiated itself.</summary>
    public static readonly DiagnosticDescriptor CalleeNotDifferentiable = Error(
        "BPS0014",
        "Called method could not be differentiated",
        "'{0}' is [Differentiable] but has errors of its own, so its gradient does not exist; fix the errors reported on '{0}' first");

    /// <summary>BPS0015: generic [Differentiable] methods are not supported.</summary>
    public static readonly DiagnosticDescriptor GenericMethod = Error(
        "BPS0015",
        "Generic method is not supported",
        "[Differentiable] method '{0}' is generic; write it for double or float (containing types may be generic)");

    /// <summary>BPS0016: a parameter is named like the forward-mode method's output parameter.</summary>
    public static readonly DiagnosticDescriptor DerivativeNameClash = Error(
        "BPS0016",
        "Parameter clashes with the forward-mode output",
        "Parameter '{0}' has the name of the out parameter that '{1}' uses for the directional derivative; rename the parameter");

    /// <summary>BPS0017: [CustomGradient] names no method of the expected signature.</summary>
    public static readonly DiagnosticDescriptor CustomGradientMismatch = Error(
        "BPS0017",
        "Custom gradient has the wrong signature",
        "The gradient that [CustomGradient] names for '{0}' must be declared in the same type as: {1}");

    /// <summary>BPS0018: a tensor operation, member or construct the generator cannot differentiate in a method with tensors.</summary>
    public static readonly DiagnosticDescriptor TensorNotSupported = Error(
        "BPS0018",
        "Tensor operation is not differentiable",
        "{0} in a [Differentiable] method with tensors; {1}");

    /// <summary>BPS0019: a [Differentiable] method writes into a tensor.</summary>
    public static readonly DiagnosticDescriptor TensorWritten = Error(
        "BPS0019",
        "Tensor is written",
        "'{0}' writes into the tensor '{1}', but a [Differentiable] method only reads its tensors; compute a new tensor with the Tensor operations instead");

    /// <summary>
    /// BPS0022: <c>Instrumented = true</c> on a method without tensor operations (no tensors at all, or element loops
    /// over tensors), which has no activations to report.
    /// </summary>
    public static readonly DiagnosticDescriptor InstrumentedWithoutTensors = Error(
        "BPS0022",
        "Only methods with tensors can be instrumented",
        "[Differentiable(Instrumented = true)] on '{0}', which {1}, so it has no activations to report; remove 'Instrumented = true'");

    /// <summary>BPS0022's reason for a method without tensors.</summary>
    internal const string NoTensorParameterOrResult = "has no Tensor parameter or result";

    /// <summary>BPS0022's reason for a method of element loops (instrument the loss that calls it instead).</summary>
    internal const string ReadsTensorElementsOnly =
        "reads tensor elements in scalar code and computes no tensors (instrument the loss of tensor operations that calls it instead)";

    /// <summary>BPS0020: a loop in a method with tensors that is not a loop over time steps the generator can differentiate.</summary>
    public static readonly DiagnosticDescriptor TensorLoopNotSupported = Error(
        "BPS0020",
        "Loop over time steps is not supported",
        "{0}: a method with tensors loops only over time steps, as 'for (int t = start; t < end; t++)' with a straight-line body; {1}");

    /// <summary>BPS0021: a loop over time steps carries a value other than a tensor computed in the loop.</summary>
    public static readonly DiagnosticDescriptor TensorLoopCarried = Error(
        "BPS0021",
        "Loop carries a value it cannot differentiate",
        "the loop carries '{0}' from one time step to the next, but {1}; {2}");

    /// <summary>BPS0023: tensor shapes known when the code is compiled break an operation's rule (the call would throw).</summary>
    public static readonly DiagnosticDescriptor TensorShapeMismatch = Error(
        "BPS0023",
        "Tensor shapes do not match",
        "{0}: with these shapes, known when the code is compiled, the operation would throw at run time; {1}");

    /// <summary>BPS9999: an unexpected failure inside the generator.</summary>
    public static readonly DiagnosticDescriptor InternalError = Error(
        "BPS9999",
        "Internal generator error",
        "The generator failed on '{0}': {1}; the other [Differentiable] methods were still generated. Please report this with the method's source.");

    /// <summary>BPS0026: [CustomGradient] on a method with tensors is declared wrongly (its tangent or value method, or the method itself).</summary>
    public static readonly DiagnosticDescriptor CustomTensorGradientDeclaration = Error(
        "BPS0026",
        "Custom tensor gradient is declared wrongly",
        "[CustomGradient] on '{0}': {1}");

    /// <summary>BPS0027: forward mode reaches a custom layer whose [CustomGradient] names no tangent.</summary>
    public static readonly DiagnosticDescriptor CustomLayerWithoutTangent = Error(
        "BPS0027",
        "Custom layer has no tangent for forward mode",
        "'{0}' has a hand-written pullback but no tangent, which '{1}' (the forward mode generated for this method) needs; name one with [CustomGradient(…, Tangent = nameof({2}))] and declare it in the same type as: {3}");

    /// <summary>BPS0024: a [Differentiable] method that reads tensor elements writes into a tensor.</summary>
    public static readonly DiagnosticDescriptor TensorElementWritten = Error(
        "BPS0024",
        "Tensor element is written",
        "'{0}' writes into the tensor '{1}', but a [Differentiable] method only reads its tensors; add into a local float, or write into a local array (new float[n]), and return the float");

    /// <summary>BPS0025: a method that reads tensor elements uses a tensor other than through its elements and shape.</summary>
    public static readonly DiagnosticDescriptor TensorElementMethodUsesTensor = Error(
        "BPS0025",
        "Tensor used as a whole where its elements are read",
        "{0} in a [Differentiable] method that reads tensor elements, which may use its tensor parameters only through x[i, …], x.Shape[k], x.Length and x.Rank; {1}");
}
