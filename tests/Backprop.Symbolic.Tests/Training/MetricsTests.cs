using System;
using Backprop.Symbolic.Tensors;
using Backprop.Symbolic.Training;
using Xunit;

namespace Backprop.Symbolic.Tests.Training;

public sealed class MetricsTests
{
    // Four rows, three classes; predictions (row maxima) 1, 0, 2, 0 (row 3 ties 0 and 2: the first wins).
    private static Tensor Scores() => Tensor.FromArray(new[]
    {
        0.1f, 2.0f, -1f,
        3.0f, 1.0f, 0.5f,
        -2f, -1f, -0.5f,
        4.0f, 1.0f, 4.0f,
    }, 4, 3);

    [Fact]
    public void ArgMax_picks_each_row_s_largest_value_and_the_first_on_a_tie()
    {
        var predicted = new int[4];
        Metrics.ArgMax(Scores(), predicted);
        Assert.Equal(new[] { 1, 0, 2, 0 }, predicted);
    }

    [Fact]
    public void Accuracy_from_scores_counts_rows_whose_maximum_is_at_the_label()
    {
        Assert.Equal(0.75, Metrics.Accuracy(Scores(), new[] { 1, 0, 2, 2 }));
        Assert.Equal(1.0, Metrics.Accuracy(Scores(), new[] { 1, 0, 2, 0 }));
        Assert.Equal(0.0, Metrics.Accuracy(Scores(), new[] { 0, 1, 1, 1 }));
    }

    [Fact]
    public void Accuracy_from_predicted_labels()
    {
        Assert.Equal(0.6, Metrics.Accuracy(new[] { 1, 2, 3, 4, 5 }, new[] { 1, 2, 3, 0, 0 }));
    }

    [Fact]
    public void Accuracy_rejects_bad_input_saying_what_is_wrong()
    {
        var error = Assert.Throws<ArgumentException>(() => Metrics.Accuracy(Scores(), new[] { 1, 0, 2 }));
        Assert.Contains("4 predictions but 3 labels", error.Message);
        var range = Assert.Throws<ArgumentOutOfRangeException>(() => Metrics.Accuracy(Scores(), new[] { 1, 0, 3, 0 }));
        Assert.Contains("labels[2] is 3, outside the 3 classes [0, 2]", range.Message);
        var rank = Assert.Throws<ArgumentException>(() => Metrics.Accuracy(Tensor.Zeros(6), new[] { 0 }));
        Assert.Contains("[rows, classes]", rank.Message);
        Assert.Throws<ArgumentException>(() => Metrics.Accuracy(ReadOnlySpan<int>.Empty, ReadOnlySpan<int>.Empty));
    }

    [Fact]
    public void Accuracy_from_scores_does_not_allocate()
    {
        Tensor scores = Scores();
        int[] labels = { 1, 0, 2, 2 };
        Metrics.Accuracy(scores, labels);
        long before = GC.GetAllocatedBytesForCurrentThread();
        double accuracy = Metrics.Accuracy(scores, labels);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Equal(0.75, accuracy);
    }

    [Fact]
    public void Confusion_matrix_counts_precision_and_recall_by_hand()
    {
        // actual:    0 0 0 1 1 2 2 2 2 2
        // predicted: 0 0 1 1 2 2 2 2 0 2
        var matrix = new ConfusionMatrix(3);
        matrix.Add(new[] { 0, 0, 1, 1, 2, 2, 2, 2, 0, 2 }, new[] { 0, 0, 0, 1, 1, 2, 2, 2, 2, 2 });

        Assert.Equal(2, matrix.Count(actual: 0, predicted: 0));
        Assert.Equal(1, matrix.Count(actual: 0, predicted: 1));
        Assert.Equal(1, matrix.Count(actual: 1, predicted: 2));
        Assert.Equal(1, matrix.Count(actual: 2, predicted: 0));
        Assert.Equal(4, matrix.Count(actual: 2, predicted: 2));
        Assert.Equal(10, matrix.Total);
        Assert.Equal(7, matrix.Correct);
        Assert.Equal(0.7, matrix.Accuracy);
        // Precision = diagonal / column: 2/3, 1/2, 4/5. Recall = diagonal / row: 2/3, 1/2, 4/5.
        Assert.Equal(2.0 / 3, matrix.Precision(0), 12);
        Assert.Equal(0.5, matrix.Precision(1), 12);
        Assert.Equal(0.8, matrix.Precision(2), 12);
        Assert.Equal(2.0 / 3, matrix.Recall(0), 12);
        Assert.Equal(0.5, matrix.Recall(1), 12);
        Assert.Equal(0.8, matrix.Recall(2), 12);
        Assert.Equal(0.8, matrix.F1(2), 12);
    }

    [Fact]
    public void Confusion_matrix_from_scores_agrees_with_ArgMax()
    {
        var matrix = new ConfusionMatrix(3);
        matrix.Add(Scores(), new[] { 1, 2, 2, 0 });
        // predictions 1, 0, 2, 0 against labels 1, 2, 2, 0
        Assert.Equal(1, matrix.Count(1, 1));
        Assert.Equal(1, matrix.Count(2, 0));
        Assert.Equal(1, matrix.Count(2, 2));
        Assert.Equal(1, matrix.Count(0, 0));
        Assert.Equal(0.75, matrix.Accuracy);
        matrix.Add(predicted: 1, actual: 0);
        Assert.Equal(1, matrix.Count(0, 1));
        Assert.Equal(5, matrix.Total);
        matrix.Clear();
        Assert.Equal(0, matrix.Total);
        Assert.True(double.IsNaN(matrix.Accuracy));
    }

    [Fact]
    public void A_class_never_predicted_has_no_precision()
    {
        var matrix = new ConfusionMatrix(2);
        matrix.Add(new[] { 0, 0 }, new[] { 0, 1 });
        Assert.True(double.IsNaN(matrix.Precision(1)));
        Assert.Equal(0.0, matrix.Recall(1));
    }

    [Fact]
    public void A_bad_batch_adds_nothing()
    {
        var matrix = new ConfusionMatrix(2);
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => matrix.Add(new[] { 0, 1, 2 }, new[] { 0, 1, 1 }));
        Assert.Contains("predicted[2] is 2, outside the 2 classes", error.Message);
        Assert.Equal(0, matrix.Total);
        Assert.Throws<ArgumentException>(() => matrix.Add(Tensor.Zeros(2, 3), new[] { 0, 1 }));
        Assert.Contains("Class 5 is outside the 2 classes [0, 1]", Assert.Throws<ArgumentOutOfRangeException>(() => matrix.Add(predicted: 5, actual: 0)).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => matrix.Recall(-1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ConfusionMatrix(1));
        Assert.Throws<ArgumentException>(() => new ConfusionMatrix(3, new[] { "a", "b" }));
    }

    [Fact]
    public void The_table_reads_actual_down_predicted_across_with_recall_and_precision()
    {
        var matrix = new ConfusionMatrix(2, new[] { "cat", "dog" });
        matrix.Add(new[] { 0, 0, 1, 1, 1 }, new[] { 0, 1, 1, 1, 0 });
        string expected = string.Join(Environment.NewLine,
            "actual \\ predicted      cat      dog   recall",
            "cat                       1        1   0.5000",
            "dog                       1        2   0.6667",
            "precision            0.5000   0.6667",
            "accuracy 0.6000 (3 of 5)");
        Assert.Equal(expected, matrix.ToString());
    }
}
