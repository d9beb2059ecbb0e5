import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Runs `fn` while holding a lock shared by every process on the machine (a folder created
 * atomically, holding the owner's pid). Test files run in parallel workers; this keeps two of
 * them from building the same bundle or installing into the same folder at once. A lock whose
 * owner has died is taken over.
 */
export async function withFileLock<T>(
  lockDir: string,
  fn: () => Promise<T>,
  timeoutMs = 20 * 60_000,
): Promise<T> {
  const ownerFile = join(lockDir, 'owner');
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await mkdir(lockDir);
      await writeFile(ownerFile, String(process.pid));
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const owner = Number(await readFile(ownerFile, 'utf8').catch(() => ''));
      if (owner && !isRunning(owner)) {
        await rm(lockDir, { recursive: true, force: true });
        continue;
      }
      if (Date.now() > deadline) {
        throw new Error(
          `timed out waiting for ${lockDir} (held by pid ${
            owner || 'unknown'
          })`,
        );
      }
      await new Promise(resolve => setTimeout(resolve, 1000));
    }
  }
  try {
    return await fn();
  } finally {
    await rm(lockDir, { recursive: true, force: true });
  }
}
