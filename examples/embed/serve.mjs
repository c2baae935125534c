#!/usr/bin/env node
// Serves the embedding example: Traceglass (a built dist/) on one origin and the host page of this
// folder on another, with Traceglass's config.json allowing the host page's origin.
//
//   trunk build --release                 # from the repository root
//   node examples/embed/serve.mjs         # then open the host page URL it prints
//
// Options: --dist DIR (default <repo>/dist), --app-port N (default 8080), --host-port N (8081).
// Node's standard library only, plus the test servers of e2e/lib (no npm install needed).

import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startEmbed } from '../../e2e/lib/embed.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '..', '..');

function usage(exitCode) {
  const text = `usage: node examples/embed/serve.mjs [--dist DIR] [--app-port N] [--host-port N]

  --dist DIR       the built Traceglass (default: ${path.join(repoRoot, 'dist')})
  --app-port N     Traceglass on http://127.0.0.1:N/ (default 8080)
  --host-port N    the host page on http://127.0.0.1:N/ (default 8081)
`;
  (exitCode ? process.stderr : process.stdout).write(text);
  process.exit(exitCode);
}

const options = { dist: path.join(repoRoot, 'dist'), appPort: 8080, hostPort: 8081 };
const args = process.argv.slice(2);
for (let i = 0; i < args.length; i++) {
  const arg = args[i];
  const value = () => {
    if (i + 1 >= args.length) usage(2);
    return args[++i];
  };
  const port = (v) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0 || n > 65535) {
      console.error(`not a port: ${v}`);
      process.exit(2);
    }
    return n;
  };
  if (arg === '--dist') options.dist = path.resolve(value());
  else if (arg === '--app-port') options.appPort = port(value());
  else if (arg === '--host-port') options.hostPort = port(value());
  else if (arg === '--help' || arg === '-h') usage(0);
  else {
    console.error(`unknown argument: ${arg}`);
    usage(2);
  }
}

if (!fs.existsSync(path.join(options.dist, 'index.html'))) {
  console.error(`${path.join(options.dist, 'index.html')} is missing: build Traceglass first with \`trunk build --release\` (from the repository root), or pass --dist DIR.`);
  process.exit(1);
}

// The app's config.json names the host page's origin, so its port must be known beforehand.
if (options.hostPort === 0) {
  console.error('--host-port 0 is not supported: the app\'s config.json must name the host page\'s port.');
  process.exit(2);
}

let embed;
try {
  // The host page is served at 127.0.0.1; allow its localhost name too, for whoever types that.
  embed = await startEmbed({
    dist: options.dist,
    appPort: options.appPort,
    hostPort: options.hostPort,
    allowedOrigins: [`http://127.0.0.1:${options.hostPort}`, `http://localhost:${options.hostPort}`],
  });
} catch (err) {
  console.error(`could not start the servers: ${err.message}`);
  process.exit(1);
}

console.log(`Traceglass:     ${embed.app.url}   (config.json allows ${embed.config.embed.allowedOrigins.join(', ')})`);
console.log(`The host page:  ${embed.hostPage()}`);
console.log('Ctrl-C stops both.');

const stop = async () => {
  await embed.close();
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
