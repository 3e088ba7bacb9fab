// Response serializers compiled on first use. Fastify compiles a fast-json-stringify serializer
// for every response schema of every route when the server starts; that was a fifth of start-up,
// for routes a process may never answer. The serializers are Fastify's own (its default factory),
// only built when a route first answers with that status.
import { SerializerSelector, type SerializerFactory } from '@fastify/fast-json-stringify-compiler';

export function lazySerializers(): SerializerFactory {
  const fastifyDefault = SerializerSelector();
  return (externalSchemas, options) => {
    const compile = fastifyDefault(externalSchemas, options);
    return (route) => {
      let serialize: ((doc: unknown) => string) | undefined;
      return (doc) => (serialize ??= compile(route))(doc);
    };
  };
}
