using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Backprop.Symbolic.Generators.Diagnostics;
using Backprop.Symbolic.Generators.Lowering;
using Backprop.Symbolic.Generators.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Backprop.Symbolic.Generators.Parsing;

/// <summary>
/// Checks a [Differentiable] method's declaration, lowers its body, and builds the equatable
/// <see cref="MethodModel"/>. This is the last place symbols and syntax are seen.
/// </summary>
internal static class MethodParser
{
    /// <summary>Entry point of the pipeline's transform. Never throws (but for cancellation).</summary>
    public static MethodResult Parse(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
    {
        var method = (IMethodSymbol)context.TargetSymbol;
        try
        {
            var session = new ParseSession(context.SemanticModel.Compilation, cancellationToken);
            return session.Parse(method, (MethodDeclarationSyntax)context.TargetNode, context.SemanticModel);
        }
        catch (OperationCanceledException)
        {
            throw;
        }
        catch (Exception exception)
        {
            Location location = (context.TargetNode as MethodDeclarationSyntax)?.Identifier.GetLocation() ?? context.TargetNode.GetLocation();
            return new MethodResult(null, EquatableArray.Create(DiagnosticFactory.Create(
                DiagnosticDescriptors.InternalError, location, method.Name, exception.GetType().Name + ": " + exception.Message.TrimEnd('.'))));
        }
    }

    /// <summary>One parse, with the memo of callees already checked (cycles count as fine).</summary>
    private sealed class ParseSession
    {
        private readonly Compilation _compilation;
        private readonly CancellationToken _cancellationToken;
        private readonly Dictionary<IMethodSymbol, bool> _calleeHasErrors = new(SymbolEqualityComparer.Default);

        public ParseSession(Compilation compilation, CancellationToken cancellationToken)
        {
            _compilation = compilation;
            _cancellationToken = cancellationToken;
        }

        public MethodResult Parse(IMethodSymbol method, MethodDeclarationSyntax syntax, SemanticModel semanticModel)
        {
            _calleeHasErrors[method] = false; // recursion: assume the method is fine while parsing it
            var diagnostics = new List<DiagnosticInfo>();
            MethodModel? model = ParseCore(method, syntax, semanticModel, diagnostics);
            _calleeHasErrors[method] = diagnostics.Count > 0;
            return new MethodResult(diagnostics.Count == 0 ? model : null, diagnostics.ToEquatableArray());
        }

        private bool CalleeHasErrors(IMethodSymbol callee)
        {
            if (_calleeHasErrors.TryGetValue(callee, out bool known))
            {
                return known;
            }
            MethodDeclarationSyntax? syntax = DeclarationWithBody(callee);
            if (syntax is null)
            {
                // A layer of a referenced assembly (the runtime's ready-made layers) was compiled with its generated methods.
                return _calleeHasErrors[callee] = !HasCompiledCompanions(callee);
            }
            SemanticModel model = _compilation.GetSemanticModel(syntax.SyntaxTree);
            return Parse(callee, syntax, model).Model is null;
        }

        private static bool HasCompiledCompanions(IMethodSymbol callee) =>
            callee.Locations.All(l => l.IsInMetadata)
            && new[] { "Value", "Pullback", "ValueRecorded", "PullbackRecorded", "Derivative" }.All(suffix => !callee.ContainingType.GetMembers(callee.Name + suffix).IsEmpty);

        private MethodModel? ParseCore(IMethodSymbol method, MethodDeclarationSyntax syntax, SemanticModel semanticModel, List<DiagnosticInfo> diagnostics)
        {
            Location identifier = syntax.Identifier.GetLocation();
            if (method.ReturnType.TypeKind == TypeKind.Error || method.Parameters.Any(p => p.Type.TypeKind == TypeKind.Error))
            {
                return null; // the compiler reports the unknown or ambiguous type (e.g. Tensor with System.Numerics.Tensors imported too)
            }
            if (method.IsGenericMethod)
            {
                diagnostics.Add(DiagnosticFactory.Create(DiagnosticDescriptors.GenericMethod, identifier, method.Name));
            }
            if (!method.IsStatic)
            {
                diagnostics.Add(DiagnosticFactory.Create(DiagnosticDescriptors.MethodNotStatic, identifier, method.Name));
            }
            for (INamedTypeSymbol? type = method.ContainingType; type is not null; type = type.ContainingType)
            {
                var declarations = type.DeclaringSyntaxReferences.Select(r => r.GetSyntax(_cancellationToken)).OfType<TypeDeclarationSyntax>().ToList();
                TypeDeclarationSyntax? notPartial = declarations.FirstOrDefault(d => !d.Modifiers.Any(SyntaxKind.PartialKeyword));
                if (notPartial is not null || declarations.Count == 0)
                {
                    Location where = notPartial?.Identifier.GetLocation() ?? identifier;
                    diagnostics.Add(DiagnosticFactory.Create(DiagnosticDescriptors.TypeNotPartial, where, type.Name, method.Name));
                }
            }
            MethodDeclarationSyntax? bodySyntax = syntax.Body is null && syntax.ExpressionBody is null ? DeclarationWithBody(method) : syntax;
            if (bodySyntax is null)
            {
                diagnostics.Add(DiagnosticFactory.Create(DiagnosticDescriptors.MethodHasNoBody, identifier, method.Name));
            }
            TypeRef returnType = TypeMapper.Map(method.ReturnType);
            if (!(returnType.IsFloating || returnType.IsTensor) || method.ReturnsByRef || method.ReturnsByRefReadonly)
            {
                diagnostics.Add(DiagnosticFactory.Create(DiagnosticDescriptors.UnsupportedReturnType, identifier, method.Name, method.ReturnType.ToDisplayString()));
            }

            // Parameters, and which of them are differentiated.
            AttributeData? attribute = DifferentiableAttributeReader.Find(method);
            IReadOnlyList<string?>? named = attribute is null ? null : DifferentiableAttributeReader.NamedParameters(attribute);
            CheckAttributeNames(method, attribute, named, diagnostics);
            var parameters = new List<ParameterModel>();
            var adjointOwners = new Dictionary<string, IParameterSymbol>();
            foreach (IParameterSymbol p in method.Parameters)
            {
                TypeRef type = TypeMapper.Map(p.Type);
                Location where = p.Locations.FirstOrDefault() ?? identifier;
                if (p.RefKind != RefKind.None || p.IsParams)
                {
                    diagnostics.Add(DiagnosticFactory.Create(DiagnosticDescriptors.UnsupportedParameter, where, p.Name, p.Type.ToDisplayString(),
                        "pass it by value (without ref, in, out or params)"));
                    continue;
                }
                if (type.Kind == ScalarKind.Other || (type.Kind == ScalarKind.Sequence && !IsSupportedSequence(p.Type, type)))
                {
                    string todo = type.Kind == ScalarKind.Sequence
                        ? (p.Type.Name == "Span"
                            ? "a [Differentiable] method only reads its inputs; take a ReadOnlySpan<" + p.Type.ToDisplayString().Replace("System.Span<", "").TrimEnd('>') + "> instead"
                            : "use a ReadOnlySpan or an array of float, double, an integer type or bool")
                        : "use float, double, an integer type, bool, or a ReadOnlySpan or array of those";
                    diagnostics.Add(DiagnosticFactory.Create(DiagnosticDescriptors.UnsupportedParameter, where, p.Name, p.Type.ToDisplayString(), todo));
                    continue;
                }
                bool differentiated = type.IsDifferentiable && (named is null || named.Contains(p.Name));
                string? adjoint = null;
                if (differentiated)
                {
                    adjoint = NameAllocator.AdjointStem(p.Name);
                    if (method.Parameters.Any(q => q.Name == adjoint) || adjointOwners.ContainsKey(adjoint))
                    {
                        diagnostics.Add(DiagnosticFactory.Create(DiagnosticDescriptors.AdjointNameClash, where, p.Name, adjoint, method.Name));
                    }
                    adjointOwners[adjoint] = p;
                }
                parameters.Add(new ParameterModel(p.Name, p.Type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat), type, adjoint));
            }

            string gradientName = method.Name + "Gradient";
            string derivativeName = method.Name + "Derivative";
            foreach (string generated in new[] { gradientName, derivativeName })
            {
                if (method.ContainingType.GetMembers(generated).Any())
                {
                    diagnostics.Add(DiagnosticFactory.Create(DiagnosticDescriptors.GeneratedNameTaken, identifier, method.ContainingType.Name, generated, method.Name));
                }
            }
            if (DifferentiableAttributeReader.IsInstrumented(method) && !returnType.IsTensor && !parameters.Any(p => p.Type.IsTensor))
            {
                SyntaxNode? attributeSyntax = DifferentiableAttributeReader.Find(method)?.ApplicationSyntaxReference?.GetSyntax(_cancellationToken);
                diagnostics.Add(DiagnosticFactory.Create(DiagnosticDescriptors.InstrumentedWithoutTensors, attributeSyntax?.GetLocation() ?? identifier, method.Name,
                    DiagnosticDescriptors.NoTensorParameterOrResult));
            }
            if (method.Parameters.FirstOrDefault(p => p.Name == Differentiation.ForwardSweep.DerivativeName) is { } clash)
            {
                diagnostics.Add(DiagnosticFactory.Create(DiagnosticDescriptors.DerivativeNameClash, clash.Locations.FirstOrDefault() ?? identifier, clash.Name, derivativeName));
            }
            if (diagnostics.Count > 0 || bodySyntax is null)
            {
                return null;
            }

            // The body.
            SemanticModel bodyModel = bodySyntax.SyntaxTree == semanticModel.SyntaxTree ? semanticModel : _compilation.GetSemanticModel(bodySyntax.SyntaxTree);
            var reserved = bodySyntax.DescendantTokens().Where(t => t.IsKind(SyntaxKind.IdentifierToken)).Select(t => t.ValueText)
                .Concat(method.Parameters.Select(p => p.Name)).Distinct().ToList();
            var names = new NameAllocator(reserved, parameters.Select(p => p.Name).Concat(parameters.Where(p => p.AdjointName is not null).Select(p => p.AdjointName!)));
            var entry = new Env();
            foreach (IParameterSymbol p in method.Parameters)
            {
                entry[p] = new Variable(p.Name, TypeMapper.Map(p.Type));
            }
            var lowerer = new Lowerer(bodyModel, names, CalleeHasErrors, _cancellationToken);
            List<Statement> body = lowerer.Lower(bodySyntax, entry, parameters.Where(p => p.AdjointName is not null).Select(p => p.Name));
            if (lowerer.HasInvalidCode || lowerer.FailedSilently)
            {
                return null; // the compiler reports the errors; a gradient of broken code would only add more
            }
            diagnostics.AddRange(lowerer.Diagnostics);
            if (lowerer.ReadsTensorElements && DifferentiableAttributeReader.IsInstrumented(method))
            {
                SyntaxNode? attributeSyntax = DifferentiableAttributeReader.Find(method)?.ApplicationSyntaxReference?.GetSyntax(_cancellationToken);
                diagnostics.Add(DiagnosticFactory.Create(DiagnosticDescriptors.InstrumentedWithoutTensors, attributeSyntax?.GetLocation() ?? identifier, method.Name,
                    DiagnosticDescriptors.ReadsTensorElementsOnly));
            }
            if (diagnostics.Count > 0)
            {
                return null;
            }

            return new MethodModel(
                method.ContainingNamespace.IsGlobalNamespace ? null : method.ContainingNamespace.ToDisplayString(),
                ContainingTypes(method.ContainingType),
                method.Name,
                gradientName,
                derivativeName,
                Accessibility(method.DeclaredAccessibility),
                returnType,
                parameters.ToEquatableArray(),
                body.ToEquatableArray(),
                lowerer.Origins.ToEquatableArray(),
                reserved.OrderBy(n => n, StringComparer.Ordinal).ToEquatableArray(),
                HintName(method),
                method.Name + "(" + string.Join(", ", method.Parameters.Select(p => p.Type.ToDisplayString())) + ")")
            {
                Instrumented = DifferentiableAttributeReader.IsInstrumented(method),
                TensorElements = lowerer.ReadsTensorElements,
            };
        }

        /// <summary>
        /// Read-only spans and one-dimensional arrays of float or double (differentiable), or of integers or
        /// bool (passive: indices, labels, masks).
        /// </summary>
        private static bool IsSupportedSequence(ITypeSymbol symbol, TypeRef type) =>
            type.Element is { Kind: ScalarKind.Double or ScalarKind.Single or ScalarKind.Integer or ScalarKind.Bool }
            && (symbol is IArrayTypeSymbol || TypeMapper.IsReadOnlySpan(symbol));

        private void CheckAttributeNames(IMethodSymbol method, AttributeData? attribute, IReadOnlyList<string?>? named, List<DiagnosticInfo> diagnostics)
        {
            if (attribute is null || named is null)
            {
                return;
            }
            var attributeSyntax = attribute.ApplicationSyntaxReference?.GetSyntax(_cancellationToken) as AttributeSyntax;
            for (int i = 0; i < named.Count; i++)
            {
                string? name = named[i];
                Location where = attributeSyntax?.ArgumentList is { } list && i < list.Arguments.Count
                    ? list.Arguments[i].GetLocation()
                    : attributeSyntax?.GetLocation() ?? Location.None;
                IParameterSymbol? parameter = method.Parameters.FirstOrDefault(p => p.Name == name);
                if (parameter is null)
                {
                    diagnostics.Add(DiagnosticFactory.Create(DiagnosticDescriptors.UnknownParameterName, where, name ?? "null", method.Name,
                        string.Join(", ", method.Parameters.Select(p => p.Name))));
                }
                else if (!TypeMapper.Map(parameter.Type).IsDifferentiable)
                {
                    diagnostics.Add(DiagnosticFactory.Create(DiagnosticDescriptors.ParameterNotDifferentiable, where, parameter.Name, parameter.Type.ToDisplayString()));
                }
            }
        }

        private MethodDeclarationSyntax? DeclarationWithBody(IMethodSymbol method)
        {
            IMethodSymbol source = method.PartialImplementationPart ?? method;
            return source.DeclaringSyntaxReferences.Select(r => r.GetSyntax(_cancellationToken)).OfType<MethodDeclarationSyntax>()
                .FirstOrDefault(m => m.Body is not null || m.ExpressionBody is not null);
        }
    }

    private static EquatableArray<ContainingType> ContainingTypes(INamedTypeSymbol type)
    {
        var chain = new List<ContainingType>();
        for (INamedTypeSymbol? t = type; t is not null; t = t.ContainingType)
        {
            string keyword = t.TypeKind switch
            {
                TypeKind.Struct when t.IsRecord => "record struct",
                TypeKind.Struct => "struct",
                TypeKind.Interface => "interface",
                _ when t.IsRecord => "record",
                _ => "class",
            };
            string typeParameters = t.TypeParameters.Length == 0 ? "" : "<" + string.Join(", ", t.TypeParameters.Select(p => p.Name)) + ">";
            chain.Add(new ContainingType(keyword, t.Name, typeParameters));
        }
        chain.Reverse();
        return chain.ToEquatableArray();
    }

    private static string Accessibility(Accessibility accessibility) => accessibility switch
    {
        Microsoft.CodeAnalysis.Accessibility.Public => "public",
        Microsoft.CodeAnalysis.Accessibility.Internal => "internal",
        Microsoft.CodeAnalysis.Accessibility.Protected => "protected",
        Microsoft.CodeAnalysis.Accessibility.ProtectedOrInternal => "protected internal",
        Microsoft.CodeAnalysis.Accessibility.ProtectedAndInternal => "private protected",
        _ => "private",
    };

    private static string HintName(IMethodSymbol method)
    {
        var parts = new List<string>();
        for (INamedTypeSymbol? t = method.ContainingType; t is not null; t = t.ContainingType)
        {
            parts.Insert(0, t.Arity == 0 ? t.Name : t.Name + "_" + t.Arity);
        }
        if (!method.ContainingNamespace.IsGlobalNamespace)
        {
            parts.Insert(0, method.ContainingNamespace.ToDisplayString());
        }
        string name = method.Name;
        bool overloaded = method.ContainingType.GetMembers(method.Name).OfType<IMethodSymbol>()
            .Count(m => DifferentiableAttributeReader.IsDifferentiable(m)) > 1;
        if (overloaded)
        {
            name += "_" + string.Join("_", method.Parameters.Select(p => p.Type.Name));
        }
        parts.Add(name);
        string hint = string.Join(".", parts) + ".g.cs";
        var chars = hint.Select(c => char.IsLetterOrDigit(c) || c is '.' or '_' ? c : '_').ToArray();
        return new string(chars);
    }
}
