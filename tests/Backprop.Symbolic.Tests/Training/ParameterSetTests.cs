using System;
using System.Collections.Generic;
using Backprop.Symbolic.Tensors;
using Backprop.Symbolic.Training;
using Backprop.Symbolic.Training.Initializers;
using Xunit;

namespace Backprop.Symbolic.Tests.Training;

public sealed class ParameterSetTests
{
    [Fact]
    public void Parameters_are_laid_out_contiguously_in_insertion_order()
    {
        var set = new ParameterSet();
        Parameter w = set.Add("W1", 3, 4);
        Parameter b = set.Add("b1", 4);
        Parameter k = set.Add("conv", 2, 1, 3, 3);

        Assert.Equal(0, w.Offset);
        Assert.Equal(12, b.Offset);
        Assert.Equal(16, k.Offset);
        Assert.Equal(34, set.ElementCount);
        Assert.Equal(new[] { "W1", "b1", "conv" }, Names(set));
        Assert.Equal(new[] { 0, 1, 2 }, new[] { w.Index, b.Index, k.Index });
        Assert.Equal(TensorShape.Of(2, 1, 3, 3), k.Shape);
        Assert.Equal("W1 [3, 4]", w.ToString());
    }

    [Fact]
    public void Values_and_gradients_are_views_into_the_two_flat_buffers()
    {
        var set = new ParameterSet();
        Parameter w = set.Add("W", 2, 3);
        Parameter b = set.Add("b", 3);

        w.Value[1, 2] = 5f;
        b.Value[0] = 7f;
        b.Gradient[2] = -1f;

        Assert.Equal(9, set.Values.Length);
        Assert.Equal(5f, set.Values[5]);
        Assert.Equal(7f, set.Values[6]);
        Assert.Equal(-1f, set.Gradients[8]);
        Assert.Same(w.Value.Array, b.Value.Array);
        Assert.Same(w.Gradient.Array, b.Gradient.Array);
        Assert.NotSame(w.Value.Array, w.Gradient.Array);

        set.Values[0] = 3f;
        Assert.Equal(3f, w.Value[0, 0]);
    }

    [Fact]
    public void ZeroGradients_clears_every_gradient_and_no_value()
    {
        var set = new ParameterSet();
        Parameter w = set.Add("W", 2, 2);
        set.Values.Fill(2f);
        set.Gradients.Fill(4f);

        set.ZeroGradients();

        Assert.All(set.Gradients.ToArray(), g => Assert.Equal(0f, g));
        Assert.All(w.Value.ToArray(), v => Assert.Equal(2f, v));
    }

    [Fact]
    public void Lookup_by_name_finds_the_parameter_and_a_missing_name_lists_the_names_there_are()
    {
        var set = new ParameterSet();
        Parameter w = set.Add("W1", 2, 2);
        set.Add("b1", 2);

        Assert.Same(w, set["W1"]);
        Assert.True(set.Contains("b1"));
        Assert.False(set.TryGet("w1", out _)); // names are case-sensitive
        var error = Assert.Throws<KeyNotFoundException>(() => set["W2"]);
        Assert.Contains("'W2'", error.Message);
        Assert.Contains("W1, b1", error.Message);
    }

    [Fact]
    public void A_duplicate_name_is_rejected_naming_the_existing_parameter()
    {
        var set = new ParameterSet();
        set.Add("W", 2, 2);
        var error = Assert.Throws<ArgumentException>(() => set.Add("W", 3));
        Assert.Contains("'W' is already in the set (W [2, 2])", error.Message);
        Assert.Single(set);
    }

    [Theory]
    [InlineData("", "must not be empty")]
    [InlineData("hidden layer", "white-space or control character at position 6")]
    [InlineData("W\t", "position 1")]
    [InlineData("__metadata__", "reserved by the safetensors format")]
    public void Bad_names_are_rejected_with_the_reason(string name, string reason)
    {
        var set = new ParameterSet();
        var error = Assert.Throws<ArgumentException>(() => set.Add(name, 2));
        Assert.Contains(reason, error.Message);
    }

    [Fact]
    public void A_shape_without_elements_is_rejected()
    {
        var set = new ParameterSet();
        var error = Assert.Throws<ArgumentException>(() => set.Add("W", 3, 0));
        Assert.Contains("'W' has shape [3, 0], which holds no elements", error.Message);
    }

    [Fact]
    public void Adding_after_the_set_is_frozen_throws()
    {
        var set = new ParameterSet();
        set.Add("W", 2);
        Assert.False(set.IsFrozen);
        set.Build();
        Assert.True(set.IsFrozen);
        var error = Assert.Throws<InvalidOperationException>(() => set.Add("b", 2));
        Assert.Contains("Cannot add parameter 'b': the set is frozen", error.Message);
    }

    [Fact]
    public void Reading_a_parameter_value_freezes_the_set_so_no_view_goes_stale()
    {
        var set = new ParameterSet();
        Parameter w = set.Add("W", 2);
        Tensor view = w.Value;
        Assert.True(set.IsFrozen);
        Assert.Throws<InvalidOperationException>(() => set.Add("b", 2));
        view[1] = 3f;
        Assert.Equal(3f, set.Values[1]);
    }

    [Fact]
    public void An_empty_set_cannot_be_built()
    {
        var error = Assert.Throws<InvalidOperationException>(() => new ParameterSet().Build());
        Assert.Contains("empty", error.Message);
    }

    [Fact]
    public void Initializers_given_to_Add_run_at_build_in_insertion_order()
    {
        static ParameterSet Make(long seed)
        {
            var set = new ParameterSet();
            set.Add("W1", Initializer.Normal(0, 1, seed), 3, 4);
            set.Add("b1", Initializer.Constant(0.5f), 4);
            set.Add("W2", 4, 2);
            set.Build();
            return set;
        }

        ParameterSet first = Make(11);
        ParameterSet second = Make(11);
        Assert.Equal(first.Values.ToArray(), second.Values.ToArray());
        Assert.All(first["b1"].Value.ToArray(), v => Assert.Equal(0.5f, v));
        Assert.All(first["W2"].Value.ToArray(), v => Assert.Equal(0f, v));
        Assert.Contains(first["W1"].Value.ToArray(), v => v != 0f);

        // The same initializer filling by hand, in the same order, gives the same numbers.
        var reference = new float[12];
        Initializer.Normal(0, 1, 11).Fill(reference, TensorShape.Of(3, 4));
        Assert.Equal(reference, first["W1"].Value.ToArray());
    }

    [Fact]
    public void A_gradient_buffer_has_the_layout_of_its_set()
    {
        var set = new ParameterSet();
        Parameter w = set.Add("W", 2, 2);
        Parameter b = set.Add("b", 2);
        GradientBuffer buffer = set.CreateGradientBuffer();

        buffer[b][1] = 9f;
        buffer["W"][0, 1] = 2f;

        Assert.Equal(new[] { 0f, 2f, 0f, 0f, 0f, 9f }, buffer.Span.ToArray());
        Assert.All(set.Gradients.ToArray(), g => Assert.Equal(0f, g));
        Assert.Equal(w.Shape, buffer[w].Shape);
        set.GradientBuffer[w][1, 1] = 4f;
        Assert.Equal(4f, w.Gradient[1, 1]);

        var other = new ParameterSet();
        Parameter foreign = other.Add("W", 2, 2);
        var error = Assert.Throws<ArgumentException>(() => buffer[foreign]);
        Assert.Contains("another parameter set", error.Message);
    }

    [Fact]
    public void Foreach_over_a_built_set_does_not_allocate()
    {
        var set = new ParameterSet();
        set.Add("a", 3);
        set.Add("b", 4);
        set.Build();
        int total = SumLengths(set);
        long before = GC.GetAllocatedBytesForCurrentThread();
        total += SumLengths(set);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(14, total);
        Assert.Equal(0, allocated);
    }

    private static int SumLengths(ParameterSet set)
    {
        int total = 0;
        foreach (Parameter parameter in set)
        {
            total += parameter.Value.Length;
        }
        return total;
    }

    private static string[] Names(ParameterSet set)
    {
        var names = new List<string>();
        foreach (Parameter parameter in set)
        {
            names.Add(parameter.Name);
        }
        return names.ToArray();
    }

    [Fact]
    public void Named_gives_each_name_with_its_value_view_in_insertion_order_and_round_trips_a_checkpoint()
    {
        var set = new ParameterSet();
        Parameter w = set.Add("W", 2, 3);
        Parameter b = set.Add("b", 3);
        set.Build();
        for (int i = 0; i < set.Values.Length; i++)
        {
            set.Values[i] = i + 0.5f;
        }

        var named = new System.Collections.Generic.List<System.Collections.Generic.KeyValuePair<string, Backprop.Symbolic.Tensors.Tensor>>(set.Named());
        Assert.Equal(new[] { "W", "b" }, named.ConvertAll(p => p.Key));
        named[1].Value[2] = 42f;
        Assert.Equal(42f, b.Value[2]);

        string path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "bps-named-" + System.Guid.NewGuid().ToString("N") + ".safetensors");
        try
        {
            Backprop.Symbolic.Checkpoints.SafeTensors.Save(path, set.Named());
            var copy = new ParameterSet();
            copy.Add("W", 2, 3);
            copy.Add("b", 3);
            copy.Build();
            Backprop.Symbolic.Checkpoints.SafeTensors.LoadInto(path, copy.Named());
            Assert.Equal(set.Values.ToArray(), copy.Values.ToArray());
            Assert.Equal(w.Value.ToArray(), copy["W"].Value.ToArray());
        }
        finally
        {
            System.IO.File.Delete(path);
        }
    }
}
