import { flush, heldLogger } from './__testUtils__/heldLogger';

describe('HeldTransport', () => {
  it('holds lines until released, then writes them in order with the released secrets redacted', async () => {
    const { collector, transport, logger } = heldLogger();
    logger.info('connecting with hunter22');
    logger.warn('second line', { token: 'tok-9f8e7d' });
    await flush();

    expect(collector.lines).toEqual([]);
    expect(transport.heldLines).toBe(2);

    transport.release(['hunter22', 'tok-9f8e7d']);

    expect(collector.lines.map(line => JSON.parse(line))).toEqual([
      { level: 'info', message: 'connecting with ***' },
      { level: 'warn', message: 'second line', token: '***' },
    ]);
    expect(transport.heldLines).toBe(0);
  });

  it('writes lines through once released, redacted by the logger itself', async () => {
    const { collector, transport, logger } = heldLogger();
    logger.addRedactions(['hunter22']);
    transport.release(['hunter22']);

    logger.info('later: hunter22');
    await flush();

    expect(collector.lines).toEqual([
      JSON.stringify({ level: 'info', message: 'later: ***' }),
    ]);
  });

  it('holds again after hold(), and redacts what it held with the secrets given at that release', async () => {
    const { collector, transport, logger } = heldLogger();
    transport.release([]);
    transport.hold();
    logger.info('rotated to n3w-s3cret');
    await flush();
    expect(collector.lines).toEqual([]);

    transport.release(['n3w-s3cret']);

    expect(collector.lines).toEqual([
      JSON.stringify({ level: 'info', message: 'rotated to ***' }),
    ]);
  });

  it('does not hold lines the level filter drops', async () => {
    const { collector, transport, logger } = heldLogger();
    logger.debug('below the default level');
    await flush();
    expect(transport.heldLines).toBe(0);
    transport.release([]);
    expect(collector.lines).toEqual([]);
  });
});
