// An ordinary Express app — routing, JSON bodies, an error handler — written
// without any knowledge of SuPPort. Group serves it unchanged.
import express, { type ErrorRequestHandler, type Express } from 'express';

interface Todo {
  id: number;
  title: string;
  done: boolean;
}

export function createExpressApp(): Express {
  const app = express();
  const todos = new Map<number, Todo>();
  let nextId = 1;

  app.use(express.json({ limit: '16kb' }));

  app.get('/', (_req, res) => {
    res.send('Express, served by a SuPPort Group\n');
  });

  app.get('/todos', (_req, res) => {
    res.json([...todos.values()]);
  });

  app.post('/todos', (req, res) => {
    const body = req.body as { title?: unknown } | undefined;
    if (typeof body?.title !== 'string' || body.title === '') {
      res.status(422).json({ error: 'title must be a non-empty string' });
      return;
    }
    const todo = { id: nextId++, title: body.title, done: false };
    todos.set(todo.id, todo);
    res.status(201).json(todo);
  });

  app.get('/todos/:id', (req, res) => {
    const todo = todos.get(Number(req.params.id));
    if (todo === undefined) {
      res.status(404).json({ error: 'no such todo' });
      return;
    }
    res.json(todo);
  });

  app.get('/boom', () => {
    throw new Error('something broke');
  });

  const onError: ErrorRequestHandler = (error, _req, res, _next) => {
    const e = error as { status?: number; type?: string; message?: string };
    const status =
      typeof e.status === 'number' && e.status >= 400 && e.status < 600 ? e.status : 500;
    res
      .status(status)
      .json({ error: status === 500 ? 'internal error' : (e.message ?? 'bad request') });
  };
  app.use(onError);
  return app;
}
