import { inspect } from 'node:util';

/**
 * A credential read from the environment. It prints as `[redacted]` however it
 * is logged, serialised or inspected; only `reveal()` gives the value, at the
 * one place that puts it on the wire.
 */
export class Secret {
  readonly #value: string;

  constructor(value: string) {
    this.#value = value;
  }

  reveal(): string {
    return this.#value;
  }

  toString(): string {
    return '[redacted]';
  }

  toJSON(): string {
    return '[redacted]';
  }

  [inspect.custom](): string {
    return '[redacted]';
  }
}
