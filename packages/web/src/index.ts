export { Application, type RouteInfo } from './application.js';
export { BUILTIN_NAMES, type ContextWith, type RequestContext } from './context.js';
export {
  codes,
  defaultReason,
  HTTPError,
  type HTTPErrorOptions,
  WebError,
  type WebErrorCode,
} from './errors.js';
export { escapeHTML, html, SafeHTML } from './escape.js';
export { htmlPage } from './html-page.js';
export type { Middleware, Next } from './middleware.js';
export { prefersJSON } from './negotiate.js';
export type { ApplicationOptions } from './options.js';
export type { Overloaded } from './overload.js';
export {
  type HTMLTemplate,
  type Render,
  renderBasic,
  renderHTML,
  renderJSON,
  renderText,
} from './render.js';
export { type HeaderValue, Response, type ResponseBody, type ResponseInit } from './response.js';
export { type Endpoint, type Mount, type Route, type RouteOptions, route } from './route.js';
export { type StaticOptions, staticFiles } from './static.js';
