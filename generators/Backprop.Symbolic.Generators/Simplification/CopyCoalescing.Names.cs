using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.RegularExpressions;
using Backprop.Symbolic.Generators.Analyses;
using Backprop.Symbolic.Generators.Lowering;
using Backprop.Symbolic.Generators.Model;

namespace Backprop.Symbolic.Generators.Simplification;

// Step 4 of copy coalescing: numbered versions take their source's names where nothing else has them.
internal static partial class CopyCoalescing
{
    /// <summary>Gives each numbered version (<c>s_2</c>, <c>dS_1</c>, <c>_result_1</c>) its unnumbered name when no other variable of the method has it.</summary>
    private static List<Statement> RestoreSourceNames(List<Statement> body, ISet<string> fixedNames, NameAllocator names)
    {
        var order = new List<string>();
        var seen = new HashSet<string>(fixedNames);
        LocalRegions.Visit(body, Array.Empty<int>(), (name, _, _) =>
        {
            if (seen.Add(name))
            {
                order.Add(name);
            }
        });
        var used = new HashSet<string>(fixedNames.Concat(order));
        var renamed = new Dictionary<string, string>();
        foreach (string name in order)
        {
            Match match = Version.Match(name);
            if (!match.Success || renamed.ContainsKey(name))
            {
                continue;
            }
            string source = match.Groups[1].Value;
            // Names derived from this one (a call's partials _softplus_1_dX, a recorded start value result_1_start)
            // are renamed with it, or it keeps its number, so they still match.
            var derived = order.Where(other => other.StartsWith(name + "_", StringComparison.Ordinal) && !Version.IsMatch(other)).ToList();
            // An adjoint or tangent of a temporary (d_result_1) follows its temporary (_result_1).
            if (used.Contains(source) || derived.Any(d => used.Contains(source + d.Substring(name.Length)))
                || (name.StartsWith("d_", StringComparison.Ordinal) && order.Contains(name.Substring(1))
                    && !(renamed.TryGetValue(name.Substring(1), out string? primal) && "d" + primal == source)))
            {
                continue;
            }
            foreach (string from in derived.Prepend(name))
            {
                string to = source + from.Substring(name.Length);
                renamed[from] = to;
                used.Add(to);
                names.Take(to);
            }
        }
        if (renamed.Count == 0)
        {
            return body;
        }
        return VariableRewriter.Rewrite(body,
            v => renamed.TryGetValue(v.Name, out string? name) ? v with { Name = name } : v,
            v => renamed.TryGetValue(v.Name, out string? name) ? v with { Name = name } : v,
            _ => true);
    }
}
