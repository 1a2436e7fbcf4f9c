using System.Linq;
using Backprop.Symbolic.Generators.Diagnostics;
using Backprop.Symbolic.Generators.Emit;
using Backprop.Symbolic.Generators.Model;
using Backprop.Symbolic.Generators.Parsing;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Backprop.Symbolic.Generators;

/// <summary>
/// Generates <c>{Name}Gradient</c> for every method marked <c>[Differentiable]</c>.
/// Discovery → parsing and lowering into an equatable model → differentiation and emission.
/// </summary>
[Generator(LanguageNames.CSharp)]
public sealed class DifferentiableGenerator : IIncrementalGenerator
{
    /// <inheritdoc/>
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        IncrementalValuesProvider<MethodResult> methods = context.SyntaxProvider
            .ForAttributeWithMetadataName(
                DifferentiableAttributeReader.MetadataName,
                static (node, _) => node is MethodDeclarationSyntax,
                MethodParser.Parse)
            .WithTrackingName(TrackingNames.Methods);

        IncrementalValuesProvider<DiagnosticInfo> diagnostics = methods
            .SelectMany(static (result, _) => result.Diagnostics)
            .WithTrackingName(TrackingNames.Diagnostics);

        Report(context, diagnostics);

        IncrementalValuesProvider<DiagnosticInfo> customGradientErrors = context.SyntaxProvider
            .ForAttributeWithMetadataName(
                CustomGradientReader.MetadataName,
                static (node, _) => node is MethodDeclarationSyntax,
                static (ctx, _) => CheckCustomGradient(ctx))
            .SelectMany(static (errors, _) => errors)
            .WithTrackingName(TrackingNames.CustomGradients);

        Report(context, customGradientErrors);

        IncrementalValuesProvider<MethodModel> models = methods
            .Where(static result => result.Model is not null)
            .Select(static (result, _) => result.Model!)
            .WithTrackingName(TrackingNames.Models);

        IncrementalValuesProvider<(GeneratedFile? File, DiagnosticInfo? Error)> sources = models
            .Select(static (model, cancellationToken) => Generate(model, cancellationToken))
            .WithTrackingName(TrackingNames.Sources);

        context.RegisterSourceOutput(sources, static (spc, output) =>
        {
            if (output.File is { } file)
            {
                spc.AddSource(file.HintName, file.Source);
            }
            if (output.Error is { } error)
            {
                spc.ReportDiagnostic(DiagnosticFactory.ToDiagnostic(error, null));
            }
        });
    }

    /// <summary>Reports diagnostics tied to the compilation's syntax trees, so they behave like the compiler's own.</summary>
    private static void Report(IncrementalGeneratorInitializationContext context, IncrementalValuesProvider<DiagnosticInfo> diagnostics) =>
        context.RegisterSourceOutput(
            diagnostics.Collect().Combine(context.CompilationProvider),
            static (spc, pair) =>
            {
                foreach (DiagnosticInfo info in pair.Left)
                {
                    spc.ReportDiagnostic(DiagnosticFactory.ToDiagnostic(info, pair.Right));
                }
            });

    private static EquatableArray<DiagnosticInfo> CheckCustomGradient(GeneratorAttributeSyntaxContext context)
    {
        var method = (IMethodSymbol)context.TargetSymbol;
        AttributeData attribute = context.Attributes[0];
        SyntaxNode where = attribute.ApplicationSyntaxReference?.GetSyntax() ?? context.TargetNode;
        EquatableArray<DiagnosticInfo> tensorChecks = CustomTensorGradientReader.Check(method, attribute, where);
        if (CustomTensorGradientReader.IsTensorMethod(method) || CustomGradientReader.Resolve(method, attribute, out string expected) is not null)
        {
            return tensorChecks;
        }
        return tensorChecks.Concat(new[] { DiagnosticFactory.Create(DiagnosticDescriptors.CustomGradientMismatch, where, method.ContainingType.Name + "." + method.Name, expected) })
            .ToEquatableArray();
    }

    private static (GeneratedFile? File, DiagnosticInfo? Error) Generate(MethodModel model, System.Threading.CancellationToken cancellationToken)
    {
        try
        {
            return (GradientEmitter.Emit(model, cancellationToken), null);
        }
        catch (System.OperationCanceledException)
        {
            throw;
        }
        catch (System.Exception exception)
        {
            return (null, new DiagnosticInfo(DiagnosticDescriptors.InternalError.Id,
                EquatableArray.Create(model.Name, exception.GetType().Name + ": " + exception.Message.TrimEnd('.')), null));
        }
    }
}
