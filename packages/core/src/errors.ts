/** Stable codes of every error @support/core throws. */
export const codes = {
  /** An option of Group (or a CLI flag) is invalid; the message names it. */
  INVALID_OPTION: 'SUP_ERR_CORE_INVALID_OPTION',
  /** A method was called in a state that does not allow it (start() twice, start() after stop()). */
  STATE: 'SUP_ERR_CORE_STATE',
  /** An address could not be listened on (in use, permission, bad path); `cause` has the system error. */
  LISTEN: 'SUP_ERR_CORE_LISTEN',
  /** A TLS option could not be loaded (unreadable file, bad PEM or PFX, wrong passphrase). */
  TLS: 'SUP_ERR_CORE_TLS',
  /** The CLI could not load a usable app from the module it was given. */
  APP_MODULE: 'SUP_ERR_CORE_APP_MODULE',
} as const;

export type CoreErrorCode = (typeof codes)[keyof typeof codes];

/** Base class of every error of @support/core; match on `code`. */
export class CoreError extends Error {
  readonly code: CoreErrorCode;

  constructor(code: CoreErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CoreError';
    this.code = code;
  }
}

/** An invalid option; the message names the option. */
export function invalid(option: string, what: string): CoreError {
  return new CoreError(codes.INVALID_OPTION, `${option} ${what}`);
}
