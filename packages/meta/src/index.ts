export { createMetaApp, type MetaApp } from './app.js';
export { codes, MetaError, type MetaErrorCode } from './errors.js';
export { type MetaAppOptions, metaDefaults, type RouteTable } from './options.js';
export { MASK, Redactor, SECRET_NAME_WORDS } from './redact.js';
export { COOKIE_NAME } from './security.js';
export {
  type ArbiterLike,
  type ArbiterSourceOptions,
  arbiterSource,
  localSource,
  type MetaSource,
  OPS,
  runContextOp,
} from './sources.js';
