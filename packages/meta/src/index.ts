export { createMetaApp, type MetaApp } from './app.js';
export { codes, MetaError, type MetaErrorCode } from './errors.js';
export { type MetaAppOptions, metaDefaults, type RouteTable } from './options.js';
export {
  negotiateMetricsFormat,
  OPENMETRICS_CONTENT_TYPE,
  PROMETHEUS_CONTENT_TYPE,
  type PrometheusOptions,
  prometheusDefaults,
  renderPrometheus,
} from './prometheus/index.js';
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
