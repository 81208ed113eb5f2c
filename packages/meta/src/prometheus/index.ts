export { type PrometheusOptions, prometheusDefaults } from './options.js';
export {
  negotiateMetricsFormat,
  OPENMETRICS_CONTENT_TYPE,
  PROMETHEUS_CONTENT_TYPE,
  renderPrometheus,
} from './render.js';
