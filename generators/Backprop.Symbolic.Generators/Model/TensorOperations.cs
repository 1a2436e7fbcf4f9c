namespace Backprop.Symbolic.Generators.Model;

/// <summary>
/// The operations of <c>Backprop.Symbolic.Tensors.Tensor</c> a [Differentiable] method can use. Element-wise ones
/// (<see cref="Add"/> … <see cref="Sqrt"/>) yield a tensor and may broadcast a row vector <c>[n]</c> over
/// <c>[…, n]</c> or take a float on either side; <see cref="MatMul"/> yields a tensor; the reductions and losses
/// (<see cref="Sum"/> … <see cref="MeanSquaredError"/>) yield a float.
/// </summary>
public enum TensorFunction
{
    /// <summary><c>MatMul(a, b)</c>: [m, k]·[k, n].</summary>
    MatMul,

    /// <summary>
    /// A call of another [Differentiable] method that returns a tensor (a layer): <see cref="TensorOperation.Method"/>
    /// names it, <see cref="TensorOperation.Differentiated"/> says which of its parameters it differentiates.
    /// </summary>
    Layer,

    /// <summary><c>a + b</c>.</summary>
    Add,

    /// <summary><c>a - b</c>.</summary>
    Subtract,

    /// <summary><c>a * b</c>.</summary>
    Multiply,

    /// <summary><c>a / b</c>.</summary>
    Divide,

    /// <summary><c>Tanh(x)</c>.</summary>
    Tanh,

    /// <summary><c>Sigmoid(x)</c> = 1 / (1 + e⁻ˣ).</summary>
    Sigmoid,

    /// <summary><c>Relu(x)</c> = max(x, 0).</summary>
    Relu,

    /// <summary><c>LeakyRelu(x, slope)</c> = x &gt; 0 ? x : slope · x.</summary>
    LeakyRelu,

    /// <summary><c>Softplus(x)</c> = log(1 + eˣ).</summary>
    Softplus,

    /// <summary><c>Exp(x)</c>.</summary>
    Exp,

    /// <summary><c>Log(x)</c>.</summary>
    Log,

    /// <summary><c>Square(x)</c> = x².</summary>
    Square,

    /// <summary><c>Sqrt(x)</c>.</summary>
    Sqrt,

    /// <summary><c>Softmax(x)</c> over the last axis.</summary>
    Softmax,

    /// <summary><c>LogSoftmax(x)</c> over the last axis.</summary>
    LogSoftmax,

    /// <summary><c>Sum(x, axis)</c>: the axis removed (a rank-1 input gives [1]).</summary>
    SumAxis,

    /// <summary><c>Mean(x, axis)</c>: the axis removed (a rank-1 input gives [1]).</summary>
    MeanAxis,

    /// <summary><c>Concat(axis, a, b)</c>; the axis is the first argument.</summary>
    Concat,

    /// <summary><c>Gather(table, rows)</c>: rows of a matrix, [rows.Length, table.Shape[1]].</summary>
    Gather,

    /// <summary>
    /// <c>x.Reshape(d0, …)</c>: the same elements under another shape (a view); the dimensions after the tensor are
    /// int expressions, one of them may be -1. Its adjoint and tangent are the same memory seen with the other shape.
    /// </summary>
    Reshape,

    /// <summary><c>TimeStep(sequence, t)</c>: block t of a time-major sequence [T, …] (a view), its shape without the first axis.</summary>
    TimeStep,

    /// <summary><c>Chunk(x, chunks, index)</c>: part <c>index</c> of the last axis cut into <c>chunks</c> equal parts.</summary>
    Chunk,

    /// <summary>
    /// <c>Conv2D(input, kernel, stride, padding)</c> or <c>Conv2D(input, kernel, bias, stride, padding)</c>: [N, C, H, W]
    /// with [K, C, kh, kw] (and a per-channel bias [K]) gives [N, K, Ho, Wo]. Four arguments without a bias, five with.
    /// </summary>
    Conv2D,

    /// <summary><c>MaxPool2D(x, size, stride)</c> (lowering writes <c>MaxPool2D(x, size)</c> with the stride equal to the size).</summary>
    MaxPool2D,

    /// <summary><c>AvgPool2D(x, size, stride)</c> (lowering writes <c>AvgPool2D(x, size)</c> with the stride equal to the size).</summary>
    AvgPool2D,

    /// <summary><c>Flatten(x)</c>: a view [N, the rest], no copy.</summary>
    Flatten,

    /// <summary><c>Sum(x)</c>: every element added, a float.</summary>
    Sum,

    /// <summary><c>Mean(x)</c>: the mean of the elements, a float.</summary>
    Mean,

    /// <summary><c>SoftmaxCrossEntropy(logits, labels)</c>: the mean over rows, a float.</summary>
    SoftmaxCrossEntropy,

    /// <summary><c>MeanSquaredError(prediction, target)</c>: the mean over all elements, a float.</summary>
    MeanSquaredError,

    /// <summary>
    /// A call of a float-returning method whose gradient is a method of its own: one with tensors and a hand-written
    /// gradient (<c>[CustomGradient]</c>), or another <c>[Differentiable]</c> method (element loops over tensors, a scalar
    /// helper, a loss), whose generated <c>{Name}Gradient</c> and <c>{Name}Derivative</c> take that place.
    /// <see cref="TensorOperation.Method"/> names it, <see cref="TensorOperation.Custom"/> its gradient (and, for a
    /// [Differentiable] callee, its derivative), and <see cref="TensorOperation.Differentiated"/> says which parameters
    /// have partials. A float (or a double, from a [Differentiable] callee).
    /// </summary>
    CustomLoss,
}

/// <summary>
/// A call of a tensor operation. <see cref="Arguments"/> are tensors (<see cref="ScalarKind.Tensor"/>), floats, or
/// the labels of <see cref="TensorFunction.SoftmaxCrossEntropy"/> (a sequence of int). Lowering nests them as the
/// user wrote them; the tensor sweep gives every nested operation its own variable.
/// </summary>
public sealed record TensorOperation(TensorFunction Function, EquatableArray<Expr> Arguments, TypeRef Type) : Expr(Type)
{
    /// <summary>For a <see cref="TensorFunction.Layer"/>: the method, fully qualified (<c>global::Ns.Type.Dense</c>).</summary>
    public string? Method { get; init; }

    /// <summary>For a <see cref="TensorFunction.Layer"/>: per parameter, whether the layer differentiates it.</summary>
    public EquatableArray<bool> Differentiated { get; init; } = EquatableArray<bool>.Empty;

    /// <summary>For a <see cref="TensorFunction.Layer"/>: the layer is instrumented, so it has overloads that report to a sink.</summary>
    public bool Instrumented { get; init; }

    /// <summary>
    /// For a <see cref="TensorFunction.CustomLoss"/>, and for a <see cref="TensorFunction.Layer"/> declared with
    /// <c>[CustomGradient]</c>: the hand-written methods the sweeps call instead of generated ones.
    /// </summary>
    public CustomTensorMethods? Custom { get; init; }

    /// <summary>True for the operations computed element by element (fusable into one loop).</summary>
    public bool IsElementwise => Function is >= TensorFunction.Add and <= TensorFunction.Sqrt;

    /// <summary>True for the operations that yield a float.</summary>
    public bool IsReduction => Function >= TensorFunction.Sum;
}
