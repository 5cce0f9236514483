/**
 * Who may read a field: `@authenticated`, `@requiresScopes` and `@policy`, on a field,
 * on an object type or interface (then on every field of it), checked
 * before execution against the caller's verified token (`auth.jwt` in the
 * config; docs/auth.md). Compiled into one rule per field (compile/access.ts).
 */
export const ACCESS_DIRECTIVES_SDL = /* GraphQL */ `
"Only a caller with a verified token (the config's auth.jwt) may read it; others get UNAUTHENTICATED before any upstream call."
directive @authenticated on FIELD_DEFINITION | OBJECT | INTERFACE

"The caller's verified token must carry every scope of one of the lists (OR of ANDs): [[\\"orders:read\\"], [\\"admin\\"]]; else FORBIDDEN before any upstream call."
directive @requiresScopes(scopes: [[String!]!]!) on FIELD_DEFINITION | OBJECT | INTERFACE

"A claim policy: an expression (as @compute's) over $jwt (the token's claims), $args (the field's arguments) and $parent (the object the field is read from) that must be true, e.g. \\"$jwt.sub == $args.customerId\\". One over $jwt and $args only is checked before execution; one that reads $parent, as each object arrives (the field is null with FORBIDDEN). Implies @authenticated."
directive @policy(allow: String!) repeatable on FIELD_DEFINITION | OBJECT | INTERFACE
`;

export const ACCESS_DIRECTIVE_NAMES = ['authenticated', 'requiresScopes', 'policy'] as const;
