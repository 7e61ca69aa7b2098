import { Worker, type WorkerOptions } from 'node:worker_threads';

/**
 * A worker thread running a TypeScript module of this service. The service runs its sources
 * through tsx (npm start) or Vite (the tests), neither of which reaches into a new thread, so
 * the thread registers tsx's loader itself before importing the module.
 */
export function startWorker(module: URL, options: Omit<WorkerOptions, 'eval'> = {}): Worker {
  const code = `import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(module.href)}); })`;
  return new Worker(code, { ...options, eval: true });
}
