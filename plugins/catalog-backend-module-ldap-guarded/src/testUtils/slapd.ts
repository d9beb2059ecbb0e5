import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HARBORLINE_SUFFIX } from './orgLdif';

const SLAPD = process.env.PORTICO_SLAPD ?? '/usr/sbin/slapd';
const ROOT_DN = `cn=admin,${HARBORLINE_SUFFIX}`;
const ROOT_PASSWORD = 'harborline-admin';

function run(command: string, args: string[], input?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(command, args, (error, stdout, stderr) => {
      if (error) {
        reject(
          new Error(`${command} ${args.join(' ')} failed: ${stderr || error}`),
        );
      } else {
        resolve(stdout);
      }
    });
    if (input !== undefined) {
      child.stdin!.end(input);
    }
  });
}

/**
 * A private OpenLDAP server for tests, the local demo and the benchmark: its
 * own config and data in a temp folder, listening on a free loopback port,
 * never the machine's system service.
 */
export class Slapd {
  private constructor(readonly dir: string, readonly port: number) {}

  readonly rootDn = ROOT_DN;
  readonly rootPassword = ROOT_PASSWORD;

  get url() {
    return `ldap://127.0.0.1:${this.port}`;
  }

  /** Starts a server on `port` (e.g. `freePort()` of @portico/test-utils), seeded with `ldif`. */
  static async start(options: { ldif?: string; port: number }) {
    const dir = mkdtempSync(join(tmpdir(), 'portico-slapd-'));
    const port = options.port;
    writeFileSync(
      join(dir, 'slapd.conf'),
      [
        'include /etc/ldap/schema/core.schema',
        'include /etc/ldap/schema/cosine.schema',
        'include /etc/ldap/schema/inetorgperson.schema',
        'include /etc/ldap/schema/nis.schema',
        'modulepath /usr/lib/ldap',
        'moduleload back_mdb',
        'moduleload memberof',
        `pidfile ${join(dir, 'slapd.pid')}`,
        `argsfile ${join(dir, 'slapd.args')}`,
        'sizelimit unlimited',
        'database mdb',
        'maxsize 1073741824',
        `suffix "${HARBORLINE_SUFFIX}"`,
        `rootdn "${ROOT_DN}"`,
        `rootpw ${ROOT_PASSWORD}`,
        `directory ${dir}`,
        'index objectClass,uid,cn,member,memberOf eq',
        'overlay memberof',
        '',
      ].join('\n'),
    );
    const slapd = new Slapd(dir, port);
    await slapd.resume();
    if (options.ldif) {
      await slapd.add(options.ldif);
    }
    return slapd;
  }

  /** Starts the server again on the same port and data. */
  async resume() {
    await run(SLAPD, [
      '-f',
      join(this.dir, 'slapd.conf'),
      '-h',
      `ldap://127.0.0.1:${this.port}/`,
    ]);
    const deadline = Date.now() + 10_000;
    for (;;) {
      try {
        await this.search(HARBORLINE_SUFFIX, '(objectClass=*)', 'base');
        return;
      } catch (error) {
        if (String(error).includes('No such object')) {
          return; // up, just empty
        }
        if (Date.now() > deadline) {
          throw error;
        }
        await new Promise(resolve => setTimeout(resolve, 100));
      }
    }
  }

  /**
   * Whether `pid` is this server's slapd. A pid file outlives a server that was killed, and
   * pids are reused (32,768 of them on many machines), so a bare pid could name another
   * process, such as a test worker.
   */
  private isOurs(pid: number): boolean {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, 'utf8')
        .split('\0')
        .includes(join(this.dir, 'slapd.conf'));
    } catch {
      return false;
    }
  }

  /** Stops the server, keeping its data, and waits until it has exited. */
  async stop() {
    let pid: number;
    try {
      pid = Number(readFileSync(join(this.dir, 'slapd.pid'), 'utf8').trim());
    } catch {
      return;
    }
    if (!this.isOurs(pid)) {
      return;
    }
    process.kill(pid, 'SIGTERM');
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline) {
      if (!this.isOurs(pid)) {
        return;
      }
      await new Promise(resolve => setTimeout(resolve, 50));
    }
    if (this.isOurs(pid)) {
      process.kill(pid, 'SIGKILL');
    }
  }

  /** Stops the server and deletes its data folder. */
  async destroy() {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }

  private auth() {
    return ['-x', '-H', this.url, '-D', ROOT_DN, '-w', ROOT_PASSWORD];
  }

  add(ldif: string) {
    return this.bulk('/usr/bin/ldapadd', ldif);
  }

  /** Applies an LDIF of changes (changetype: modify, delete, modrdn). */
  modify(ldif: string) {
    return this.bulk('/usr/bin/ldapmodify', ldif);
  }

  private bulk(command: string, ldif: string) {
    // Through a file: large LDIFs through a pipe are slow in ldapadd
    const file = join(this.dir, `change-${Date.now()}-${Math.random()}.ldif`);
    writeFileSync(file, ldif);
    return run(command, [...this.auth(), '-f', file]).finally(() =>
      rmSync(file, { force: true }),
    );
  }

  search(base: string, filter: string, scope = 'sub', attrs: string[] = []) {
    return run('/usr/bin/ldapsearch', [
      ...this.auth(),
      '-LLL',
      '-s',
      scope,
      '-b',
      base,
      filter,
      ...attrs,
    ]);
  }
}
