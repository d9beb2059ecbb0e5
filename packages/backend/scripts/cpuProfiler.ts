/*
 * Records a CPU profile of another Node process through its inspector (started with
 * --inspect=127.0.0.1:<port>), so a load test can profile exactly the run it measures rather than
 * the whole life of the backend. The profile opens in Chrome DevTools or speedscope; a short
 * summary of the heaviest functions is printed as well.
 */
import { writeFileSync } from 'node:fs';

export interface ProfileNode {
  id: number;
  callFrame: {
    functionName: string;
    url: string;
    lineNumber: number;
  };
  children?: number[];
}

export interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export class CpuProfiler {
  private nextId = 1;
  private readonly pending = new Map<
    number,
    { resolve: (value: any) => void; reject: (error: Error) => void }
  >();

  private constructor(private readonly socket: WebSocket) {
    socket.addEventListener('message', event => {
      const message = JSON.parse(String(event.data));
      const waiting = this.pending.get(message.id);
      if (!waiting) return;
      this.pending.delete(message.id);
      if (message.error) {
        waiting.reject(new Error(message.error.message));
      } else {
        waiting.resolve(message.result);
      }
    });
  }

  /** Connects to the inspector listening on 127.0.0.1:port. */
  static async connect(port: number): Promise<CpuProfiler> {
    const targets = (await (
      await fetch(`http://127.0.0.1:${port}/json/list`)
    ).json()) as Array<{ webSocketDebuggerUrl: string }>;
    if (!targets[0]) {
      throw new Error(`no inspector target on 127.0.0.1:${port}`);
    }
    const socket = new WebSocket(targets[0].webSocketDebuggerUrl);
    await new Promise((resolve, reject) => {
      socket.addEventListener('open', resolve, { once: true });
      socket.addEventListener('error', reject, { once: true });
    });
    const profiler = new CpuProfiler(socket);
    await profiler.send('Profiler.enable');
    // 1 ms between samples: detailed enough, cheap enough not to change what is measured.
    await profiler.send('Profiler.setSamplingInterval', { interval: 1000 });
    return profiler;
  }

  async start() {
    await this.send('Profiler.start');
  }

  /** Stops recording, writes the profile to file and returns a summary of the heaviest frames. */
  async stop(file: string): Promise<string> {
    return summarize(await this.stopAndWrite(file));
  }

  /** Stops recording and writes the profile to file. */
  async stopAndWrite(file: string): Promise<Profile> {
    const { profile } = (await this.send('Profiler.stop')) as {
      profile: Profile;
    };
    writeFileSync(file, JSON.stringify(profile));
    return profile;
  }

  close() {
    this.socket.close();
  }

  private send(method: string, params?: object): Promise<any> {
    const id = this.nextId++;
    this.socket.send(JSON.stringify({ id, method, params }));
    return new Promise((resolve, reject) =>
      this.pending.set(id, { resolve, reject }),
    );
  }
}

/**
 * Self time and total time per function (by name and file), the 25 heaviest by total time, in
 * percent of the samples. Total time counts a function once per sample even when it recurses.
 */
export function summarize(profile: Profile, top = 25): string {
  const byId = new Map(profile.nodes.map(node => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) {
    for (const child of node.children ?? []) parent.set(child, node.id);
  }
  const label = (node: ProfileNode) => {
    const { functionName, url, lineNumber } = node.callFrame;
    const file = url.replace(/^.*\/node_modules\//, '').replace(/^.*\/\//, '');
    return `${functionName || '(anonymous)'} ${file}:${lineNumber + 1}`;
  };
  const self = new Map<string, number>();
  const total = new Map<string, number>();
  for (const sample of profile.samples) {
    const leaf = byId.get(sample)!;
    self.set(label(leaf), (self.get(label(leaf)) ?? 0) + 1);
    const seen = new Set<string>();
    for (let id: number | undefined = sample; id !== undefined; ) {
      const name = label(byId.get(id)!);
      if (!seen.has(name)) {
        seen.add(name);
        total.set(name, (total.get(name) ?? 0) + 1);
      }
      id = parent.get(id);
    }
  }
  const count = profile.samples.length || 1;
  const percent = (n: number) =>
    `${((100 * n) / count).toFixed(1)}%`.padStart(6);
  const heaviestTotal = [...total.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(
      ([name, n]) =>
        `  ${percent(n)} total ${percent(self.get(name) ?? 0)} self  ${name}`,
    );
  const heaviestSelf = [...self.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([name, n]) => `  ${percent(n)} self  ${name}`);
  return [
    `${count} samples`,
    'by total time:',
    ...heaviestTotal,
    'by self time:',
    ...heaviestSelf,
  ].join('\n');
}
