// express 5 ships no types and @types/express is not a dependency: the
// example uses it as a request listener with the few methods declared here.
declare module 'express' {
  import type { IncomingMessage, ServerResponse } from 'node:http';

  type Req = IncomingMessage & {
    params: Record<string, string>;
    body: unknown;
    route?: { path: string };
  };
  type Res = ServerResponse & {
    json(body: unknown): Res;
    status(code: number): Res;
    send(body: unknown): Res;
  };
  type Handler = (req: Req, res: Res, next: (error?: unknown) => void) => unknown;
  type ErrorHandler = (
    error: unknown,
    req: Req,
    res: Res,
    next: (error?: unknown) => void,
  ) => unknown;

  export type { ErrorHandler, Express, Handler, Req as Request, Res as Response };

  interface Express {
    (req: IncomingMessage, res: ServerResponse): void;
    get(path: string, ...handlers: Handler[]): Express;
    post(path: string, ...handlers: Handler[]): Express;
    use(...handlers: unknown[]): Express;
  }
  interface ExpressFactory {
    (): Express;
    json(options?: Record<string, unknown>): Handler;
  }
  const express: ExpressFactory;
  export default express;
}
