import { ConfigReader } from '@backstage/config';
import { ConfigRedactions } from './configRedactions';
import { SecretEnumeration } from './secretEnumeration';
import { flush, heldLogger } from './__testUtils__/heldLogger';

/** Enumerations the test completes by hand, in the order it chooses. */
function manualEnumerations() {
  const pending: Array<{
    config: ConfigReader;
    resolve: (result: SecretEnumeration) => void;
    reject: (error: Error) => void;
  }> = [];
  const enumerate = (config: any) =>
    new Promise<SecretEnumeration>((resolve, reject) =>
      pending.push({ config, resolve, reject }),
    );
  return { pending, enumerate };
}

function setup() {
  const { collector, transport, logger } = heldLogger();
  const { pending, enumerate } = manualEnumerations();
  const redactions = new ConfigRedactions({ logger, transport, enumerate });
  return { collector, logger, redactions, pending };
}

describe('ConfigRedactions', () => {
  it('writes nothing until the secrets are known, then the held lines redacted, then the enumeration messages', async () => {
    const { collector, logger, redactions, pending } = setup();
    const done = redactions.refresh(new ConfigReader({}));
    logger.info('early line with p4ssw0rd-1');
    await flush();
    expect(collector.messages).toEqual([]);

    pending[0].resolve({
      secrets: ['p4ssw0rd-1'],
      messages: [{ level: 'info', message: 'Found 1 new secrets' }],
    });
    await done;
    await flush();
    logger.info('late line with p4ssw0rd-1');
    await flush();

    expect(collector.messages).toEqual([
      'early line with ***',
      'Found 1 new secrets',
      'late line with ***',
    ]);
  });

  it('after a configuration change, holds until the latest configuration’s secrets are known, keeping the earlier ones', async () => {
    const { collector, logger, redactions, pending } = setup();
    const first = redactions.refresh(new ConfigReader({}));
    pending[0].resolve({ secrets: ['old-s3cret'], messages: [] });
    await first;

    const second = redactions.refresh(new ConfigReader({}));
    const third = redactions.refresh(new ConfigReader({}));
    logger.info('old-s3cret and new-s3cret');
    await flush();

    // The second change's secrets are known before the third's: still holding.
    pending[1].resolve({ secrets: ['new-s3cret'], messages: [] });
    await second;
    await flush();
    expect(collector.messages).toEqual([]);

    pending[2].resolve({ secrets: ['newest-s3cret'], messages: [] });
    await third;
    logger.info('newest-s3cret');
    await flush();

    expect(collector.messages).toEqual(['*** and ***', '***']);
  });

  it('is settled once the latest refresh has ended', async () => {
    const { redactions, pending } = setup();
    let settled = false;
    const first = redactions.refresh(new ConfigReader({}));
    const waiting = redactions.settled().then(() => {
      settled = true;
    });
    const second = redactions.refresh(new ConfigReader({}));

    pending[0].resolve({ secrets: [], messages: [] });
    await first;
    await flush();
    expect(settled).toBe(false);

    pending[1].reject(new Error('schema not found'));
    await expect(second).rejects.toThrow();
    await waiting;
    expect(settled).toBe(true);
  });

  it('keeps holding when the secrets cannot be found', async () => {
    const { collector, logger, redactions, pending } = setup();
    const done = redactions.refresh(new ConfigReader({}));
    logger.info('maybe a s3cret');
    pending[0].reject(new Error('schema not found'));

    await expect(done).rejects.toThrow('schema not found');
    await flush();
    expect(collector.messages).toEqual([]);
  });
});
