using System;
using System.Collections.Generic;
using Backprop.Symbolic.Tensors;
using Backprop.Symbolic.Training;

namespace Backprop.Symbolic.GradientChecking;

public static partial class GradientCheck
{
    /// <summary>
    /// Checks the gradient of every parameter of <paramref name="parameters"/> against central differences of
    /// <paramref name="loss"/>, reporting the worst element with its parameter's name and index.
    /// </summary>
    /// <param name="parameters">The parameters; their values are perturbed one element at a time and restored exactly.</param>
    /// <param name="loss">Evaluates the loss at the parameters' current values (in double where you can; see <see cref="GradientCheckOptions"/>).</param>
    /// <param name="computeGradients">Writes the analytic gradient into the parameters' gradients (e.g. calls the generated <c>…Gradient</c> method); they are zeroed before the call.</param>
    /// <param name="options">Step, tolerance, floor; the defaults suit float32 parameters.</param>
    /// <returns>The worst element per parameter and overall; <see cref="GradientCheckReport.Passed"/> says whether all are within the tolerance.</returns>
    public static GradientCheckReport Check(ParameterSet parameters, Func<double> loss, Action computeGradients, GradientCheckOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        var tensors = new CheckedTensor[parameters.Count];
        for (int i = 0; i < tensors.Length; i++)
        {
            Parameter parameter = parameters[i];
            tensors[i] = new CheckedTensor(parameter.Name, parameter.Value, parameter.Gradient);
        }
        return Check(tensors, loss, computeGradients, options);
    }

    /// <summary>
    /// Checks the gradients of several named tensors (wrap a <c>float[]</c> with <see cref="Tensor.FromArray"/>) against
    /// central differences of <paramref name="loss"/>; see <see cref="Check(ParameterSet, Func{double}, Action, GradientCheckOptions?)"/>.
    /// </summary>
    /// <exception cref="ArgumentException">No tensors, a default tensor, a gradient of another shape, or a repeated name.</exception>
    public static GradientCheckReport Check(IReadOnlyList<CheckedTensor> tensors, Func<double> loss, Action computeGradients, GradientCheckOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        ArgumentNullException.ThrowIfNull(loss);
        ArgumentNullException.ThrowIfNull(computeGradients);
        options ??= new GradientCheckOptions();
        Validate(tensors);

        foreach (CheckedTensor tensor in tensors)
        {
            tensor.Gradient.Span.Clear();
        }
        computeGradients();
        // The analytic gradients are copied before the loss runs, in case evaluating it writes the gradient buffers.
        var analytic = new float[tensors.Count][];
        for (int t = 0; t < tensors.Count; t++)
        {
            analytic[t] = tensors[t].Gradient.ToArray();
        }

        var perTensor = new GradientCheckResult[tensors.Count];
        int checkedCount = 0;
        for (int t = 0; t < tensors.Count; t++)
        {
            CheckedTensor tensor = tensors[t];
            int length = tensor.Value.Length;
            int count = Math.Min(length, options.MaxElementsPerTensor);
            GradientCheckResult? worst = null;
            for (int k = 0; k < count; k++)
            {
                int i = count == 1 ? 0 : (int)((long)k * (length - 1) / (count - 1));
                double numeric = CentralDifference(tensor.Value.Span, i, loss, options.RelativeStep);
                double exact = analytic[t][i];
                double scale = Math.Max(Math.Max(Math.Abs(exact), Math.Abs(numeric)), options.Floor);
                double error = Math.Abs(exact - numeric) / scale;
                if (worst is null || GradientCheckReport.IsWorse(error, worst.RelativeError))
                {
                    worst = new GradientCheckResult(tensor.Name, Unflatten(i, tensor.Value.Shape), exact, numeric, error, options.Tolerance);
                }
                checkedCount++;
            }
            perTensor[t] = worst!;
        }
        return new GradientCheckReport(perTensor, checkedCount);
    }

    private static double CentralDifference(Span<float> values, int i, Func<double> loss, double relativeStep)
    {
        float original = values[i];
        double step = relativeStep * Math.Max(1.0, Math.Abs(original));
        float up = (float)(original + step);
        float down = (float)(original - step);
        try
        {
            values[i] = up;
            double lossUp = loss();
            values[i] = down;
            double lossDown = loss();
            return (lossUp - lossDown) / ((double)up - down);
        }
        finally
        {
            values[i] = original;
        }
    }

    private static int[] Unflatten(int flat, TensorShape shape)
    {
        var index = new int[shape.Length];
        for (int d = shape.Length - 1; d >= 0; d--)
        {
            index[d] = flat % shape[d];
            flat /= shape[d];
        }
        return index;
    }

    private static void Validate(IReadOnlyList<CheckedTensor> tensors)
    {
        if (tensors.Count == 0)
        {
            throw new ArgumentException("No tensors to check; pass at least one.", nameof(tensors));
        }
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (int t = 0; t < tensors.Count; t++)
        {
            CheckedTensor tensor = tensors[t];
            if (string.IsNullOrEmpty(tensor.Name))
            {
                throw new ArgumentException($"Tensor {t} has no name; name every tensor so the report can point at it.", nameof(tensors));
            }
            if (!names.Add(tensor.Name))
            {
                throw new ArgumentException($"Two tensors are named '{tensor.Name}'; give each a distinct name.", nameof(tensors));
            }
            if (tensor.Value.IsDefault || tensor.Gradient.IsDefault)
            {
                throw new ArgumentException($"Tensor '{tensor.Name}' has a default (empty) value or gradient.", nameof(tensors));
            }
            if (tensor.Value.Shape != tensor.Gradient.Shape)
            {
                throw Tensor.ShapeMismatch($"GradientCheck.Check ('{tensor.Name}': value and gradient)", tensor.Value.Shape, tensor.Gradient.Shape, "the shapes must be equal");
            }
            if (tensor.Value.Length == 0)
            {
                throw new ArgumentException($"Tensor '{tensor.Name}' has no elements.", nameof(tensors));
            }
        }
    }
}
