import { explainStartupFailure } from './explainStartupFailure';

describe('explainStartupFailure', () => {
  it('names the port that is taken', () => {
    const error = Object.assign(new Error('listen EADDRINUSE'), {
      code: 'EADDRINUSE',
      port: 7007,
    });
    expect(explainStartupFailure(error)).toBe(
      'Portico backend cannot start: port 7007 is already in use. Stop the process that listens there, or set backend.listen.port in app-config.',
    );
  });

  it('passes other messages through without a stack trace', () => {
    const text = explainStartupFailure(
      new Error("Missing required config value at 'backend.baseUrl'"),
    );
    expect(text).toBe(
      "Portico backend failed to start: Missing required config value at 'backend.baseUrl'",
    );
    expect(text).not.toMatch(/\n\s+at /);
  });
});
