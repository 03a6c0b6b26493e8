using Google.Protobuf;
using Grpc.AspNetCore.Server.Model;
using Grpc.Core;
using Microsoft.Extensions.Logging;
using TaskPipeline.Contracts;

namespace TaskPipeline.Consumer.Submit;

/// <summary>
/// Binds TaskProcessor.Submit to <see cref="TaskProcessorService"/> with a request marshaller that answers bytes that
/// are not a SubmitRequest with INVALID_ARGUMENT and one warning. The generated binding would let the parser's exception
/// escape as UNKNOWN ("Exception was thrown by handler") with an error and a stack trace: the message is read before
/// any interceptor or handler runs, so only its marshaller can tell bad input from a fault.
/// </summary>
internal sealed class SubmitMethodProvider(ILogger<SubmitMethodProvider> logger, ConsumerMetrics metrics)
    : IServiceMethodProvider<TaskProcessorService>
{
    public void OnServiceMethodDiscovery(ServiceMethodProviderContext<TaskProcessorService> context)
    {
        var submit = TaskProcessor.Descriptor.FindMethodByName(nameof(TaskProcessorService.Submit));
        var method = new Method<SubmitRequest, SubmitReply>(
            MethodType.Unary,
            TaskProcessor.Descriptor.FullName,
            submit.Name,
            Marshallers.Create<SubmitRequest>((request, serialization) => serialization.Complete(request.ToByteArray()), ParseRequest),
            Marshallers.Create<SubmitReply>(Serialize, reply => SubmitReply.Parser.ParseFrom(reply.PayloadAsReadOnlySequence())));
        context.AddUnaryMethod(method, [], (service, request, call) => service.Submit(request, call));
    }

    private static void Serialize(SubmitReply reply, SerializationContext context)
    {
        context.SetPayloadLength(reply.CalculateSize());
        reply.WriteTo(context.GetBufferWriter());
        context.Complete();
    }

    private SubmitRequest ParseRequest(DeserializationContext context)
    {
        try
        {
            return SubmitRequest.Parser.ParseFrom(context.PayloadAsReadOnlySequence());
        }
        catch (InvalidProtocolBufferException exception)
        {
            metrics.SubmitRejected(ConsumerMetrics.MalformedReason);
            ConsumerLog.SubmitMalformed(logger, context.PayloadLength, exception.Message);
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"the message is not a SubmitRequest: {exception.Message}"));
        }
    }
}
