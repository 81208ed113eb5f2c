import { HTTPError } from '@support/web';

// Every error this package raises is a MetaError with a stable `code`;
// callers match on `code`, never on the message.

export const codes = {
  INVALID_OPTION: 'SUP_ERR_META_INVALID_OPTION',
  UNKNOWN_OP: 'SUP_ERR_META_UNKNOWN_OP',
  NO_WORKER: 'SUP_ERR_META_NO_WORKER',
  NO_PROFILE: 'SUP_ERR_META_NO_PROFILE',
} as const;

export type MetaErrorCode = (typeof codes)[keyof typeof codes];

/** Base class of every error raised by `@support/meta`. */
export class MetaError extends Error {
  /** Stable machine-readable code, `SUP_ERR_META_<WHAT>`. */
  readonly code: MetaErrorCode;

  constructor(code: MetaErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** Maps errors of sources and contexts to HTTP answers (others pass through as 500s). */
export function httpError(error: unknown): unknown {
  const code = (error as { code?: unknown } | null)?.code;
  const message = error instanceof Error ? error.message : String(error);
  if (code === codes.NO_WORKER) return new HTTPError(404, message);
  if (code === codes.NO_PROFILE) return new HTTPError(409, message);
  if (code === codes.INVALID_OPTION || code === codes.UNKNOWN_OP)
    return new HTTPError(400, message);
  if (typeof code === 'string' && /^SUP_ERR_CONTEXT_.*(OPTION|INVALID)/.test(code))
    return new HTTPError(400, message);
  return error;
}
