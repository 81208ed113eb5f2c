/** Stable codes for every error this package raises; callers match on `code`. */
export type ContextErrorCode =
  | 'SUP_ERR_CONTEXT_OPTION'
  | 'SUP_ERR_CONTEXT_CLOSED'
  | 'SUP_ERR_CONTEXT_INSPECTOR'
  | 'SUP_ERR_CONTEXT_NOT_SAMPLING'
  | 'SUP_ERR_CONTEXT_NO_SCOPE';

/** Base class of the errors `@support/context` raises at runtime. */
export class ContextError extends Error {
  readonly code: ContextErrorCode;

  constructor(code: ContextErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ContextError';
    this.code = code;
  }
}

/**
 * An unknown option or an invalid option value. It is a `TypeError` (as the
 * platform does for bad arguments) carrying the same stable `code` field.
 */
export class ContextOptionError extends TypeError {
  readonly code = 'SUP_ERR_CONTEXT_OPTION' as const;
  /** The option that was rejected, e.g. `config.monitorInterval`. */
  readonly option: string;

  constructor(option: string, message: string) {
    super(`${option} ${message}`);
    this.name = 'ContextOptionError';
    this.option = option;
  }
}
