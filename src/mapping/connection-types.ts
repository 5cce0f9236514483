/** Relay connection types as the SDL declares them, for the compiler, the call estimate and the resolvers. */
import { type GraphQLNamedType, getNamedType, getNullableType, isListType, isObjectType } from 'graphql';

/** The node type of a connection type: `XConnection { edges: [XEdge] }`, `XEdge { node: X }`. */
export function connectionNodeType(type: GraphQLNamedType): GraphQLNamedType | undefined {
  if (!isObjectType(type)) return undefined;
  const edges = type.getFields().edges;
  const edge = edges && isListType(getNullableType(edges.type)) ? getNamedType(edges.type) : undefined;
  const node = edge && isObjectType(edge) ? edge.getFields().node : undefined;
  return node ? getNamedType(node.type) : undefined;
}
