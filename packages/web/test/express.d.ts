// express 5 ships no types and @types/express is not a dependency: the tests
// use it as a plain request listener with a few methods.
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
