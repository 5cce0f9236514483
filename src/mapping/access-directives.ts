/**
 * Who may read a field: `@authenticated` and `@requiresScopes`, on a field,
 * on an object type or interface (then on every field of it), checked
 * before execution against the caller's verified token (`auth.jwt` in the
 * config; docs/auth.md). Compiled into one rule per field (compile/access.ts).
 */
export const ACCESS_DIRECTIVES_SDL = /* GraphQL */ `
"Only a caller with a verified token (the config's auth.jwt) may read it; others get UNAUTHENTICATED before any upstream call."
directive @authenticated on FIELD_DEFINITION | OBJECT | INTERFACE

"The caller's verified token must carry every scope of one of the lists (OR of ANDs): [[\\"orders:read\\"], [\\"admin\\"]]; else FORBIDDEN before any upstream call."
directive @requiresScopes(scopes: [[String!]!]!) on FIELD_DEFINITION | OBJECT | INTERFACE
`;

export const ACCESS_DIRECTIVE_NAMES = ['authenticated', 'requiresScopes'] as const;
