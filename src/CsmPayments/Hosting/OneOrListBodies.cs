using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace CsmPayments.Hosting;

/// <summary>Marks an endpoint whose body is one record or a list of them (the create-or-update endpoints).</summary>
internal sealed class OneOrListBody;

/// <summary>Documents the body of a <see cref="OneOrListBody"/> endpoint as what it takes: one record, or a list of at least one.</summary>
internal sealed class OneOrListBodies : IOpenApiOperationTransformer
{
    public Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        if (!context.Description.ActionDescriptor.EndpointMetadata.OfType<OneOrListBody>().Any() || operation.RequestBody?.Content is not { } content)
            return Task.CompletedTask;
        foreach (var media in content.Values)
            if (media.Schema is { } one)
                media.Schema = new OpenApiSchema { OneOf = [one, new OpenApiSchema { Type = JsonSchemaType.Array, Items = one, MinItems = 1 }] };
        return Task.CompletedTask;
    }
}
