/** The parts of an outgoing request that an auth scheme may add to. */
export interface OutgoingCredentials {
  headers: Record<string, string>;
  query: Record<string, string>;
}

export interface SourceAuth {
  /** Adds the credential to an outgoing request. */
  apply(outgoing: OutgoingCredentials, signal?: AbortSignal): Promise<void> | void;
  /**
   * Called once when the upstream answered 401 (or a status of `renewsOn`) to a request made with
   * `outgoing`. Returns true when a fresh credential is now in place and the
   * request is worth one more try.
   */
  renew?(outgoing: OutgoingCredentials): Promise<boolean>;
  /** The statuses that call for `renew`. @default 401 alone */
  readonly renewsOn?: ReadonlySet<number>;
  /** Every secret value this scheme may put on the wire, for log scrubbing. */
  readonly secrets: readonly string[];
}
