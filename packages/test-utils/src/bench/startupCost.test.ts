import {
  StartupProfile,
  compareStartupCost,
  packageOfFrame,
  startupCostByPackage,
} from './startupCost';

describe('packageOfFrame', () => {
  it('names the innermost package of a file, scoped or not', () => {
    expect(
      packageOfFrame(
        'file:///app/node_modules/@backstage/plugin-app-backend/node_modules/ajv/dist/core.js',
        'compile',
      ),
    ).toBe('ajv');
    expect(
      packageOfFrame(
        'file:///app/node_modules/@backstage/config-loader/dist/index.cjs.js',
        'load',
      ),
    ).toBe('@backstage/config-loader');
  });

  it("tells Node's modules, workspace packages and V8's pseudo-frames apart", () => {
    expect(packageOfFrame('node:internal/fs/promises', 'readFile')).toBe(
      'node (built-in)',
    );
    expect(
      packageOfFrame('file:///app/packages/backend/dist/index.cjs.js', 'main'),
    ).toBe('packages/backend');
    expect(packageOfFrame('', '(idle)')).toBe('(idle)');
    expect(packageOfFrame('', '(garbage collector)')).toBe(
      '(garbage collector)',
    );
    expect(packageOfFrame('', 'compileFunction')).toBe('(native)');
  });
});

describe('startupCostByPackage', () => {
  const frame = (id: number, url: string, functionName = 'f') => ({
    id,
    callFrame: { functionName, url, lineNumber: 0 },
  });
  const profile: StartupProfile = {
    nodes: [
      frame(1, '', '(root)'),
      frame(2, 'file:///app/node_modules/ajv/dist/core.js'),
      frame(3, 'file:///app/node_modules/yaml/dist/index.js'),
      frame(4, '', '(idle)'),
    ],
    // 2 ms of ajv, 1 ms idle, 1 ms of yaml, then 5 ms of yaml after the backend was ready.
    samples: [2, 2, 4, 3, 3],
    timeDeltas: [1000, 1000, 1000, 1000, 5000],
    startTime: 0,
    endTime: 9000,
  };

  it('sums self time by package until the backend was ready, heaviest first', () => {
    const cost = startupCostByPackage(profile, 4);
    expect([...cost.entries()]).toEqual([
      ['ajv', 2],
      ['(idle)', 1],
      ['yaml', 1],
    ]);
  });

  it('puts two starts side by side with the difference, the rest in one row', () => {
    const stock = new Map([
      ['ajv', 100],
      ['yaml', 50],
      ['pg', 10],
    ]);
    const portico = new Map([
      ['ajv', 160],
      ['yaml', 40],
      ['knex', 5],
    ]);
    expect(compareStartupCost(stock, portico, 2)).toEqual([
      { package: 'ajv', a: 100, b: 160, difference: 60 },
      { package: 'yaml', a: 50, b: 40, difference: -10 },
      { package: '2 other packages', a: 10, b: 5, difference: -5 },
    ]);
  });
});
