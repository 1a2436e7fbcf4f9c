using System;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;

namespace Backprop.Symbolic.Tensors;

public readonly partial struct Tensor
{
    private enum ElementOperator
    {
        Add,
        Subtract,
        Multiply,
        Divide,
    }

    /// <summary>
    /// Element-wise sum. The shapes are equal, or one side is a row vector [n] and the other's last dimension is n
    /// (e.g. a bias [n] added to every row of [m, n]); the result has the larger shape.
    /// </summary>
    /// <exception cref="ArgumentException">The shapes are neither equal nor a row vector and a tensor of rows that long.</exception>
    public static Tensor operator +(Tensor left, Tensor right) => Combine(ElementOperator.Add, left, right);

    /// <summary>Element-wise difference, broadcasting like <see cref="op_Addition(Tensor, Tensor)"/>.</summary>
    /// <exception cref="ArgumentException">The shapes are neither equal nor a row vector and a tensor of rows that long.</exception>
    public static Tensor operator -(Tensor left, Tensor right) => Combine(ElementOperator.Subtract, left, right);

    /// <summary>Element-wise (Hadamard) product, broadcasting like <see cref="op_Addition(Tensor, Tensor)"/>. For the matrix product use <see cref="MatMul(Tensor, Tensor)"/>.</summary>
    /// <exception cref="ArgumentException">The shapes are neither equal nor a row vector and a tensor of rows that long.</exception>
    public static Tensor operator *(Tensor left, Tensor right) => Combine(ElementOperator.Multiply, left, right);

    /// <summary>Element-wise quotient, broadcasting like <see cref="op_Addition(Tensor, Tensor)"/>.</summary>
    /// <exception cref="ArgumentException">The shapes are neither equal nor a row vector and a tensor of rows that long.</exception>
    public static Tensor operator /(Tensor left, Tensor right) => Combine(ElementOperator.Divide, left, right);

    /// <summary><paramref name="right"/> added to every element.</summary>
    public static Tensor operator +(Tensor left, float right) => Combine(ElementOperator.Add, left, right);

    /// <summary><paramref name="left"/> added to every element.</summary>
    public static Tensor operator +(float left, Tensor right) => Combine(ElementOperator.Add, right, left);

    /// <summary><paramref name="right"/> subtracted from every element.</summary>
    public static Tensor operator -(Tensor left, float right) => Combine(ElementOperator.Subtract, left, right);

    /// <summary><paramref name="left"/> minus each element.</summary>
    public static Tensor operator -(float left, Tensor right)
    {
        Tensor result = Zeros(RequireMemory(right, "operator -"));
        TensorPrimitives.Subtract(left, right.Span, result.Span);
        return result;
    }

    /// <summary>Every element times <paramref name="right"/>.</summary>
    public static Tensor operator *(Tensor left, float right) => Combine(ElementOperator.Multiply, left, right);

    /// <summary>Every element times <paramref name="left"/>.</summary>
    public static Tensor operator *(float left, Tensor right) => Combine(ElementOperator.Multiply, right, left);

    /// <summary>Every element divided by <paramref name="right"/>.</summary>
    public static Tensor operator /(Tensor left, float right) => Combine(ElementOperator.Divide, left, right);

    /// <summary><paramref name="left"/> divided by each element.</summary>
    public static Tensor operator /(float left, Tensor right)
    {
        Tensor result = Zeros(RequireMemory(right, "operator /"));
        TensorPrimitives.Divide(left, right.Span, result.Span);
        return result;
    }

    private static Tensor Combine(ElementOperator op, Tensor left, Tensor right)
    {
        string name = OperatorName(op);
        RequireMemory(left, name);
        RequireMemory(right, name);
        if (left._shape == right._shape)
        {
            Tensor same = Zeros(left._shape);
            Apply(op, left.Span, right.Span, same.Span);
            return same;
        }
        // One broadcasting rule for eager operations and generated code: a row vector [n] over the other's last dimension.
        bool rightIsRow = TensorShapes.Broadcast(name, left._shape, right._shape) == left._shape;
        Tensor full = rightIsRow ? left : right;
        ReadOnlySpan<float> row = rightIsRow ? right.Span : left.Span;
        Tensor result = Zeros(full._shape);
        ReadOnlySpan<float> source = full.Span;
        Span<float> target = result.Span;
        int n = row.Length;
        for (int start = 0; start < source.Length; start += n)
        {
            if (rightIsRow)
            {
                Apply(op, source.Slice(start, n), row, target.Slice(start, n));
            }
            else
            {
                Apply(op, row, source.Slice(start, n), target.Slice(start, n));
            }
        }
        return result;
    }

    private static Tensor Combine(ElementOperator op, Tensor tensor, float scalar)
    {
        Tensor result = Zeros(RequireMemory(tensor, OperatorName(op)));
        ReadOnlySpan<float> x = tensor.Span;
        Span<float> destination = result.Span;
        switch (op)
        {
            case ElementOperator.Add: TensorPrimitives.Add(x, scalar, destination); break;
            case ElementOperator.Subtract: TensorPrimitives.Subtract(x, scalar, destination); break;
            case ElementOperator.Multiply: TensorPrimitives.Multiply(x, scalar, destination); break;
            default: TensorPrimitives.Divide(x, scalar, destination); break;
        }
        return result;
    }

    private static void Apply(ElementOperator op, ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> destination)
    {
        switch (op)
        {
            case ElementOperator.Add: TensorPrimitives.Add(x, y, destination); break;
            case ElementOperator.Subtract: TensorPrimitives.Subtract(x, y, destination); break;
            case ElementOperator.Multiply: TensorPrimitives.Multiply(x, y, destination); break;
            default: TensorPrimitives.Divide(x, y, destination); break;
        }
    }

    private static string OperatorName(ElementOperator op) => op switch
    {
        ElementOperator.Add => "operator +",
        ElementOperator.Subtract => "operator -",
        ElementOperator.Multiply => "operator *",
        _ => "operator /",
    };

    /// <summary>The tensor's shape, or an exception naming <paramref name="operation"/> when it is <c>default(Tensor)</c>.</summary>
    private static TensorShape RequireMemory(Tensor tensor, string operation) =>
        tensor.IsDefault
            ? throw new ArgumentException($"{operation}: a tensor argument is default(Tensor), which has no memory. Create tensors with Tensor.Zeros or Tensor.FromArray.")
            : tensor._shape;
}
