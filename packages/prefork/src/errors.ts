/** Stable codes of every error @support/prefork throws; add new codes here. */
export const codes = {
  /** An option passed to the Arbiter, the admission or daemonize() is invalid. */
  INVALID_OPTION: 'SUP_ERR_PREFORK_INVALID_OPTION',
} as const;

export type PreforkErrorCode = (typeof codes)[keyof typeof codes];

/** Base class of every error of @support/prefork; match on `code`. */
export class PreforkError extends Error {
  readonly code: PreforkErrorCode;

  constructor(code: PreforkErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PreforkError';
    this.code = code;
  }
}
