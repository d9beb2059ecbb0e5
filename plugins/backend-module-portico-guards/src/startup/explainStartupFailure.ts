/**
 * Turns the errors that most often stop the backend at start-up into one line that says what is
 * wrong and what to do, instead of a stack trace.
 */
export function explainStartupFailure(error: unknown): string {
  const err = error as NodeJS.ErrnoException & {
    address?: string;
    port?: number;
  };
  if (err?.code === 'EADDRINUSE') {
    const where = err.port ? `port ${err.port}` : 'the configured port';
    return `Portico backend cannot start: ${where} is already in use. Stop the process that listens there, or set backend.listen.port in app-config.`;
  }
  if (err?.name === 'UnsafeProductionConfigError') {
    // The production sign-in guard (../signIn/checkProductionSignIn.ts) says what to change.
    return err.message;
  }
  if (err?.code === 'EACCES' && err.syscall === 'listen') {
    return `Portico backend cannot start: not allowed to listen on port ${err.port}. Use a port above 1024 (backend.listen.port).`;
  }
  const message = err instanceof Error ? err.message : String(error);
  return `Portico backend failed to start: ${message}`;
}
