using System;
using System.Collections.Generic;

namespace Backprop.Symbolic.Data;

/// <summary>A dataset split three ways, with the original row indices of each part.</summary>
/// <param name="Train">The training rows (copies).</param>
/// <param name="Validation">The validation rows (copies; may be empty).</param>
/// <param name="Test">The test rows (copies; may be empty).</param>
/// <param name="TrainRows">Which rows of the original dataset <paramref name="Train"/> holds, in its order.</param>
/// <param name="ValidationRows">Which rows of the original dataset <paramref name="Validation"/> holds.</param>
/// <param name="TestRows">Which rows of the original dataset <paramref name="Test"/> holds.</param>
public sealed record DatasetSplit(
    Dataset Train, Dataset Validation, Dataset Test, int[] TrainRows, int[] ValidationRows, int[] TestRows);

/// <summary>Seeded train/validation/test splits, optionally stratified by label.</summary>
public static class DatasetSplitter
{
    /// <summary>
    /// Splits <paramref name="data"/> by fractions that sum to 1. The validation and test counts are rounded to the
    /// nearest row and the training split takes the rest. Every row lands in exactly one part; each part is in random
    /// order. The same seed gives the same split.
    /// </summary>
    /// <param name="data">The dataset to split (not changed).</param>
    /// <param name="trainFraction">The share of rows for training.</param>
    /// <param name="validationFraction">The share for validation (may be 0).</param>
    /// <param name="testFraction">The share for testing (may be 0).</param>
    /// <param name="seed">Seeds the shuffle.</param>
    /// <param name="stratify">
    /// Whether each class is split by the fractions on its own, so every part keeps the class proportions of the
    /// whole (each class's count in a part is within one row of its exact share).
    /// </param>
    /// <exception cref="ArgumentOutOfRangeException">A fraction is negative, not finite, or the fractions do not sum to 1.</exception>
    public static DatasetSplit Split(
        Dataset data, double trainFraction, double validationFraction, double testFraction, int seed, bool stratify = false)
    {
        ArgumentNullException.ThrowIfNull(data);
        CheckFraction(trainFraction, nameof(trainFraction));
        CheckFraction(validationFraction, nameof(validationFraction));
        CheckFraction(testFraction, nameof(testFraction));
        double sum = trainFraction + validationFraction + testFraction;
        if (Math.Abs(sum - 1) > 1e-9)
        {
            throw new ArgumentOutOfRangeException(
                nameof(testFraction), sum,
                $"The fractions {trainFraction} (train) + {validationFraction} (validation) + {testFraction} (test) sum to {sum}; they must sum to 1.");
        }

        var random = new Random(seed);
        var train = new List<int>();
        var validation = new List<int>();
        var test = new List<int>();
        if (stratify)
        {
            var byClass = new List<int>[data.ClassCount];
            for (int c = 0; c < byClass.Length; c++)
            {
                byClass[c] = new List<int>();
            }
            ReadOnlySpan<int> labels = data.Labels;
            for (int row = 0; row < labels.Length; row++)
            {
                byClass[labels[row]].Add(row);
            }
            foreach (List<int> rows in byClass)
            {
                Deal(rows.ToArray(), validationFraction, testFraction, random, train, validation, test);
            }
        }
        else
        {
            var rows = new int[data.Count];
            for (int i = 0; i < rows.Length; i++)
            {
                rows[i] = i;
            }
            Deal(rows, validationFraction, testFraction, random, train, validation, test);
        }

        int[] trainRows = Shuffled(train, random);
        int[] validationRows = Shuffled(validation, random);
        int[] testRows = Shuffled(test, random);
        return new DatasetSplit(
            data.Subset(trainRows), data.Subset(validationRows), data.Subset(testRows), trainRows, validationRows, testRows);
    }

    /// <summary>A train/test split: <paramref name="testFraction"/> of the rows for testing, the rest for training, no validation rows.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="testFraction"/> is outside 0..1.</exception>
    public static DatasetSplit TrainTest(Dataset data, double testFraction, int seed, bool stratify = false)
    {
        CheckFraction(testFraction, nameof(testFraction));
        return Split(data, 1 - testFraction, 0, testFraction, seed, stratify);
    }

    private static void CheckFraction(double fraction, string name)
    {
        if (!(fraction >= 0 && fraction <= 1))
        {
            throw new ArgumentOutOfRangeException(name, fraction, $"A split fraction must lie in 0..1; {name} is {fraction}.");
        }
    }

    /// <summary>Shuffles <paramref name="rows"/> and deals them: test first, then validation, the rest to training.</summary>
    private static void Deal(
        int[] rows, double validationFraction, double testFraction, Random random, List<int> train, List<int> validation, List<int> test)
    {
        random.Shuffle(rows);
        int testCount = (int)Math.Round(rows.Length * testFraction, MidpointRounding.AwayFromZero);
        int validationCount = Math.Min(
            (int)Math.Round(rows.Length * validationFraction, MidpointRounding.AwayFromZero), rows.Length - testCount);
        test.AddRange(rows.AsSpan(0, testCount));
        validation.AddRange(rows.AsSpan(testCount, validationCount));
        train.AddRange(rows.AsSpan(testCount + validationCount));
    }

    private static int[] Shuffled(List<int> rows, Random random)
    {
        int[] array = rows.ToArray();
        random.Shuffle(array);
        return array;
    }
}
