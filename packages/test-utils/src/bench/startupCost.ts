/*
 * Where a backend's start goes: the samples of a CPU profile written by `node --cpu-prof`, from
 * the start of the process until it reported ready, summed by the package of the function that
 * was running (its self time). Comparing two backends' sums shows which packages make one start
 * later than the other. `(idle)` is the time the process waited: on PostgreSQL, the file system,
 * or a plugin's network call.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
/** A profile as `node --cpu-prof` writes it; times in µs. */
export interface StartupProfile {
  nodes: Array<{
    id: number;
    callFrame: { functionName: string; url: string; lineNumber: number };
    children?: number[];
  }>;
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

/** The one `.cpuprofile` that `--cpu-prof-dir=<dir>` left there. */
export function readStartupProfile(dir: string): StartupProfile {
  const files = readdirSync(dir).filter(f => f.endsWith('.cpuprofile'));
  if (files.length !== 1) {
    throw new Error(
      `expected one .cpuprofile in ${dir}, found ${files.length}: ${files.join(
        ', ',
      )}`,
    );
  }
  return JSON.parse(readFileSync(join(dir, files[0]), 'utf8'));
}

/**
 * The package a frame belongs to: the last `node_modules/<name>` or `node_modules/@scope/name`
 * in its file, Node's own modules as `node (built-in)`, V8's pseudo-frames by their name.
 */
export function packageOfFrame(url: string, functionName: string): string {
  if (!url) {
    return functionName.startsWith('(') ? functionName : '(native)';
  }
  if (url.startsWith('node:')) return 'node (built-in)';
  const match = [
    ...url.matchAll(/node_modules\/((?:@[^/]+\/)?[^/]+)\//g),
  ].pop();
  if (match) return match[1];
  // A workspace package of the image, e.g. packages/backend/dist/index.cjs.js.
  const workspace = url.match(/\/(packages|plugins)\/([^/]+)\//);
  return workspace ? `${workspace[1]}/${workspace[2]}` : '(other files)';
}

/**
 * Milliseconds of self time per package in the first `untilMs` of the profile (the time until
 * the backend was ready), heaviest first.
 */
export function startupCostByPackage(
  profile: StartupProfile,
  untilMs: number,
): Map<string, number> {
  const byId = new Map(profile.nodes.map(node => [node.id, node]));
  const packageOfNode = new Map<number, string>();
  const microseconds = new Map<string, number>();
  let elapsed = 0;
  profile.samples.forEach((sample, i) => {
    const delta = profile.timeDeltas[i] ?? 0;
    elapsed += delta;
    if (elapsed > untilMs * 1000) return;
    let pkg = packageOfNode.get(sample);
    if (!pkg) {
      const { url, functionName } = byId.get(sample)!.callFrame;
      pkg = packageOfFrame(url, functionName);
      packageOfNode.set(sample, pkg);
    }
    microseconds.set(pkg, (microseconds.get(pkg) ?? 0) + delta);
  });
  return new Map(
    [...microseconds.entries()]
      .sort((a, b) => b[1] - a[1])
      .map(([pkg, us]) => [pkg, us / 1000]),
  );
}

/**
 * The packages of two profiles side by side, ordered by the larger of the two, with the
 * difference; the first `top` rows and one row for the rest.
 */
export function compareStartupCost(
  a: Map<string, number>,
  b: Map<string, number>,
  top: number,
): Array<{ package: string; a: number; b: number; difference: number }> {
  const names = new Set([...a.keys(), ...b.keys()]);
  const rows = [...names]
    .map(name => ({
      package: name,
      a: a.get(name) ?? 0,
      b: b.get(name) ?? 0,
      difference: (b.get(name) ?? 0) - (a.get(name) ?? 0),
    }))
    .sort((x, y) => Math.max(y.a, y.b) - Math.max(x.a, x.b));
  const rest = rows.slice(top).reduce(
    (sum, row) => ({
      package: `${rows.length - top} other packages`,
      a: sum.a + row.a,
      b: sum.b + row.b,
      difference: sum.difference + row.difference,
    }),
    { package: '', a: 0, b: 0, difference: 0 },
  );
  return rows.length > top ? [...rows.slice(0, top), rest] : rows;
}
