/**
 * How the browser tests and the app's browser benchmarks launch Debian's Chromium: headless in a
 * container, with nothing of its own going to the network.
 */
export const chromiumLaunchOptions = {
  executablePath: process.env.PORTICO_CHROMIUM ?? '/usr/bin/chromium',
  args: [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--no-first-run',
  ],
};
