using System.Collections.Generic;
using System.Linq;
using Backprop.Symbolic.Generators.Parsing;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace Backprop.Symbolic.Generators.Lowering;

// The rules of the operations, each as the runtime checks it, over what is known of the operands' shapes: a rule is
// broken only when no value of the dimensions not known could satisfy it.
internal sealed partial class TensorShapeCheck
{
    /// <summary><c>Zeros(2, 3)</c>, <c>Zeros(x.Shape)</c>, <c>FromArray(data, 2, 3)</c>.</summary>
    private Shape? Created(IMethodSymbol method, List<IOperation> a)
    {
        IOperation dimensions = a[a.Count - 1];
        if (method.Name == "Zeros" && a.Count == 1 && !method.Parameters[0].IsParams)
        {
            // Zeros(TensorShape): the shape of the tensor whose Shape it reads.
            return dimensions is IPropertyReferenceOperation { Property.Name: "Shape", Instance: { } of } && TypeMapper.IsTensor(of.Type) ? Evaluate(of) : null;
        }
        return Dimensions(dimensions) is { } list && list.Count is >= 1 and <= 4 ? new Shape(list.ToArray()) : null;
    }

    /// <summary>The dimensions a params int[] argument lists, each a constant or null; null when it is not a list.</summary>
    private static List<int?>? Dimensions(IOperation argument) => argument switch
    {
        IArrayCreationOperation { Initializer: { } initializer } => initializer.ElementValues.Select(Constant).ToList(),
        IConversionOperation c => Dimensions(c.Operand),
        _ => null,
    };

    private Shape? Reshape(IInvocationOperation call, Shape? input, List<IOperation> arguments)
    {
        var dimensions = new List<int?>();
        foreach (IOperation argument in arguments)
        {
            if (argument.Type?.SpecialType == SpecialType.System_Int32)
            {
                dimensions.Add(Constant(argument));
            }
            else if (Dimensions(argument) is { } listed)
            {
                dimensions.AddRange(listed);
            }
            else
            {
                return null; // a TensorShape, or an array built elsewhere
            }
        }
        if (dimensions.Count is < 1 or > 4)
        {
            return null; // BPS0018 says so
        }
        string target = new Shape(dimensions.ToArray()).ToString();
        const string Fix = "give a shape with the same number of elements, or one dimension -1 to infer it";
        if (dimensions.Count(d => d == -1) > 1)
        {
            return Report(call, "Cannot reshape " + (input?.ToString() ?? "the tensor") + " to " + target + ": only one dimension may be -1", Fix);
        }
        long known = 1;
        bool allKnown = true;
        foreach (int? d in dimensions)
        {
            if (d is { } k && k != -1)
            {
                known *= k;
            }
            else if (d is null)
            {
                allKnown = false;
            }
        }
        int inferred = dimensions.IndexOf(-1);
        if (input?.Count is { } count && allKnown)
        {
            if (inferred >= 0)
            {
                if (known == 0 || count % known != 0)
                {
                    return Report(call, "Cannot reshape " + input + " (" + count + " elements) to " + target + ": no whole size fits the -1", Fix);
                }
                dimensions[inferred] = (int)(count / known);
            }
            else if (known != count)
            {
                return Report(call, "Cannot reshape " + input + " (" + count + " elements) to " + target + " (" + known + " elements)", Fix);
            }
        }
        else if (inferred >= 0)
        {
            dimensions[inferred] = null;
        }
        return new Shape(dimensions.ToArray());
    }

    private Shape? MatMul(IInvocationOperation call, Shape? a, Shape? b)
    {
        if ((a is { Rank: not 2 }) || (b is { Rank: not 2 }))
        {
            return Report(call, Mismatch("MatMul", a, b, "both must be matrices (rank 2)"), "multiply matrices [m, k]·[k, n]; reshape or flatten the operands to rank 2 first");
        }
        if (a?[1] is { } k && b?[0] is { } kb && k != kb)
        {
            return Report(call, Mismatch("MatMul", a, b, "the columns of the first must equal the rows of the second"),
                "check the order of the operands and their shapes: the first's columns must equal the second's rows");
        }
        return new Shape(a?[0], b?[1]);
    }

    /// <summary>An element-wise operator: equal shapes, or a row vector [n] over a tensor whose last dimension is n (either side).</summary>
    private Shape? Elementwise(IOperation op, string name, Shape? left, IOperation rightOperand)
    {
        Shape? right = Evaluate(rightOperand);
        if (!TypeMapper.IsTensor(rightOperand.Type) || (op is IBinaryOperation b && !TypeMapper.IsTensor(b.LeftOperand.Type)))
        {
            return TypeMapper.IsTensor(rightOperand.Type) ? right : left; // a float on one side
        }
        if (left is null || right is null)
        {
            Shape? known = left ?? right;
            return known is { Rank: > 1 } ? known : null;
        }
        bool equal = Equal(left, right);
        bool rowRight = right.Rank == 1 && Fits(left.Last, right[0]);
        bool rowLeft = left.Rank == 1 && Fits(right.Last, left[0]);
        if (!equal && !rowRight && !rowLeft)
        {
            return Report(op, Mismatch(name, left, right, "the shapes must be equal, or one must be a row vector [n] over the other's last dimension n"),
                "give both operands the same shape, or make one a row vector [n] as long as the other's last dimension");
        }
        if (left.Rank == right.Rank)
        {
            return Merge(left, right);
        }
        return left.Rank > right.Rank ? left : right;
    }

    private Shape? Reduce(IInvocationOperation call, string name, Shape? x, int? axis)
    {
        if (x is null)
        {
            return null;
        }
        if (axis is { } a)
        {
            if (a < 0 || a >= x.Rank)
            {
                return Report(call, NoAxis(name, x, a), "use an axis from 0 to " + (x.Rank - 1));
            }
            return x.Rank == 1 ? new Shape(1) : new Shape(x.Dimensions.Where((_, i) => i != a).ToArray());
        }
        return x.Rank == 1 ? new Shape(1) : Shape.OfRank(x.Rank - 1);
    }

    private Shape? Concat(IInvocationOperation call, int? axis, Shape? a, Shape? b)
    {
        const string Fix = "concatenate tensors of the same rank whose sizes differ only along the axis";
        if (axis is { } x && (a ?? b) is { } known && (x < 0 || x >= known.Rank))
        {
            return Report(call, NoAxis("Concat", known, x), "use an axis from 0 to " + (known.Rank - 1));
        }
        if (a is null || b is null)
        {
            return (a ?? b) is { } one ? Shape.OfRank(one.Rank) : null;
        }
        if (a.Rank != b.Rank)
        {
            return Report(call, Mismatch("Concat", a, b, "the ranks must be equal and the sizes equal on every axis but " + (axis?.ToString() ?? "the one joined")), Fix);
        }
        if (axis is not { } along)
        {
            return Shape.OfRank(a.Rank);
        }
        var dimensions = new int?[a.Rank];
        for (int i = 0; i < a.Rank; i++)
        {
            if (i == along)
            {
                dimensions[i] = a[i] + b[i];
            }
            else if (!Fits(a[i], b[i]))
            {
                return Report(call, Mismatch("Concat", a, b, "the ranks must be equal and the sizes equal on every axis but " + along), Fix);
            }
            else
            {
                dimensions[i] = a[i] ?? b[i];
            }
        }
        return new Shape(dimensions);
    }

    private Shape? TimeStep(IInvocationOperation call, Shape? sequence, int? t)
    {
        if (sequence is null)
        {
            return null;
        }
        if (sequence.Rank < 2)
        {
            return Report(call, "TimeStep: the sequence must be time-major with rank 2 to 4 ([T, B, F] or [T, F]), but has shape " + sequence,
                "pass a sequence [T, B, F] (time steps first)");
        }
        if (t is { } step && sequence[0] is { } steps && (step < 0 || step >= steps))
        {
            return Report(call, "TimeStep: step " + step + " is outside the sequence of shape " + sequence + " (steps 0 to " + (steps - 1) + ")",
                "read a step from 0 to " + (steps - 1));
        }
        return new Shape(sequence.Dimensions.Skip(1).ToArray());
    }

    private Shape? Chunk(IInvocationOperation call, Shape? x, int? chunks, int? index)
    {
        if (chunks is <= 0)
        {
            return Report(call, "Chunk: the number of chunks must be positive, but is " + chunks, "cut the last axis into 1 or more chunks");
        }
        if (chunks is { } c && index is { } i && (i < 0 || i >= c))
        {
            return Report(call, "Chunk: chunk " + i + " does not exist (chunks are 0 to " + (c - 1) + ")", "take a chunk from 0 to " + (c - 1));
        }
        if (x is null)
        {
            return null;
        }
        if (chunks is { } parts && x.Last is { } last && last % parts != 0)
        {
            return Report(call, "Chunk: the last dimension of shape " + x + " is not a multiple of " + parts,
                "make the last dimension a multiple of the number of chunks");
        }
        var dimensions = (int?[])x.Dimensions.Clone();
        dimensions[x.Rank - 1] = chunks is { } n ? x.Last / n : null;
        return new Shape(dimensions);
    }

    private Shape? Conv2D(IInvocationOperation call, Shape? input, Shape? kernel, Shape? bias, int? stride, int? padding)
    {
        if (input is { Rank: not 4 } || kernel is { Rank: not 4 })
        {
            return Report(call, Mismatch("Conv2D", input, kernel, "the input must be [N, C, H, W] and the kernel [K, C, kh, kw], both rank 4"),
                "pass images [N, C, H, W] and filters [K, C, kh, kw]; reshape them to rank 4 first");
        }
        if (input?[1] is { } channels && kernel?[1] is { } kernelChannels && channels != kernelChannels)
        {
            return Report(call, Mismatch("Conv2D", input, kernel, "the input's channels (" + channels + ") must equal the kernel's second dimension (" + kernelChannels + ")"),
                "give the kernel as many input channels as the images have");
        }
        if (bias is not null && (bias.Rank != 1 || (bias[0] is { } length && kernel?[0] is { } filters && length != filters)))
        {
            return Report(call, Mismatch("Conv2D", bias, kernel, "the bias must be a vector [K] = [" + (kernel?[0]?.ToString() ?? "K") + "], one number per filter of the kernel"),
                "give one bias per filter of the kernel");
        }
        if (input is null || kernel is null)
        {
            return new Shape(input?[0], kernel?[0], null, null);
        }
        int pad = padding ?? 0;
        if (padding is not null && input[2] is { } h && input[3] is { } w && kernel[2] is { } kh && kernel[3] is { } kw
            && (kh < 1 || kw < 1 || h + (2 * pad) < kh || w + (2 * pad) < kw))
        {
            return Report(call, Mismatch("Conv2D", input, kernel, "the kernel's window (" + kh + " × " + kw + ") must be at least 1 × 1 and fit in the padded image ("
                + (h + (2 * pad)) + " × " + (w + (2 * pad)) + ")"), "use a smaller kernel, or pad the images");
        }
        int? Out(int? size, int? window) =>
            size is { } s && window is { } k && stride is > 0 && padding is >= 0 ? ((s + (2 * pad) - k) / stride) + 1 : null;
        return new Shape(input[0], kernel[0], Out(input[2], kernel[2]), Out(input[3], kernel[3]));
    }

    private Shape? Pool(IInvocationOperation call, string name, Shape? x, int? size, int? stride)
    {
        if (x is null)
        {
            return Shape.OfRank(4);
        }
        if (x.Rank != 4)
        {
            return Report(call, name + ": the input must be [N, C, H, W] (rank 4), but its shape is " + x, "pool images [N, C, H, W]; reshape to rank 4 first");
        }
        if (size is >= 1 && ((x[2] is { } h && h < size) || (x[3] is { } w && w < size)))
        {
            return Report(call, name + ": a " + size + " × " + size + " window does not fit in an image of " + (x[2]?.ToString() ?? "?") + " × " + (x[3]?.ToString() ?? "?")
                + " (input shape " + x + ")", "use a window no larger than the image");
        }
        int? Out(int? extent) => extent is { } e && size is >= 1 && stride is >= 1 ? ((e - size) / stride) + 1 : null;
        return new Shape(x[0], x[1], Out(x[2]), Out(x[3]));
    }

    private Shape? Flatten(IInvocationOperation call, Shape? x)
    {
        if (x is null)
        {
            return Shape.OfRank(2);
        }
        if (x.Rank < 2)
        {
            return Report(call, "Flatten: the input must have a batch dimension and at least one more (rank 2 to 4), but its shape is " + x,
                "flatten a batch [N, …]; a vector is flat already");
        }
        long? rest = new Shape(x.Dimensions.Skip(1).ToArray()).Count;
        return new Shape(x[0], rest is { } r ? (int)r : null);
    }
}
