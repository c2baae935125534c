// Two origins for the embedding tests and the embedding example: Traceglass (a built `dist/`) on
// one 127.0.0.1 port, and a host page (by default `examples/embed/`) on another. A different
// port is a different origin, so the host's iframe is cross-origin, as in a real dashboard.
//
//   const embed = await startEmbed({ dist, allowHost: true });
//   embed.app.url        // 'http://127.0.0.1:A/'  Traceglass; its config.json allows embed.host.origin
//   embed.host.url       // 'http://127.0.0.1:B/'  the host page
//   embed.hostPage()     // 'http://127.0.0.1:B/?app=http%3A%2F%2F127.0.0.1%3AA%2F' (examples/embed reads ?app=)
//   embed.config         // the config.json the app is served with (an object)
//   await embed.close();
//
// Only node's standard library and ./server.mjs: examples/embed/serve.mjs imports this file too.

import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer } from './server.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));

/** `examples/embed/` of the repository: the example host page. */
export const exampleHostDir = path.resolve(here, '..', '..', 'examples', 'embed');

/**
 * The app's config.json with `embed.allowedOrigins` set: `dist/config.json` as built (or `{}`
 * when there is none), its `embed` key replaced by `{ allowedOrigins }`.
 */
export function embedConfig(dist, allowedOrigins) {
  let base = {};
  const file = path.join(dist, 'config.json');
  if (fs.existsSync(file)) base = JSON.parse(fs.readFileSync(file, 'utf8'));
  return { ...base, embed: { ...(base.embed ?? {}), allowedOrigins: [...allowedOrigins] } };
}

/**
 * Starts the host page's server, then the app's (whose config.json names the host's origin).
 *
 * Options:
 * - `dist` (required): the built app folder.
 * - `allowHost` (default true): whether the app's `embed.allowedOrigins` lists the host's origin.
 *   When false it lists `http://localhost:<host port>` instead: the same server under another
 *   name, a different origin, so the refusal must come from comparing whole origins.
 * - `allowedOrigins`: the exact list to use instead (overrides `allowHost`).
 * - `config`: extra config.json keys merged over the built config.json (before `embed`).
 * - `hostRoot` (default `examples/embed/`): the folder served as the host page.
 * - `extraMounts`: more folders on the app's server, e.g. `{ '/fixtures/': fixturesDir }`.
 * - `appPort`, `hostPort` (default 0: free ports).
 *
 * Both servers serve the app's `demo/` folder at `/demo/` (the app's own files; the host's copy
 * lets the host page fetch the demo bytes from its own origin and hand them over). The app's
 * server has the SPA fallback for Jaeger UI's `/trace/<id>` and `/search` paths, and CORS on.
 */
export async function startEmbed({
  dist,
  allowHost = true,
  allowedOrigins,
  config = {},
  hostRoot = exampleHostDir,
  extraMounts = {},
  appPort = 0,
  hostPort = 0,
} = {}) {
  if (!dist) throw new Error('startEmbed: `dist` (the built app folder) is required');
  const demo = path.join(dist, 'demo');
  const host = await startServer({
    root: hostRoot,
    port: hostPort,
    extraMounts: fs.existsSync(demo) ? { '/demo/': demo } : {},
  });
  let app;
  try {
    const origins = allowedOrigins ?? (allowHost ? [host.origin] : [`http://localhost:${host.port}`]);
    const built = embedConfig(dist, origins);
    const appConfig = { ...built, ...config, embed: built.embed };
    app = await startServer({
      root: dist,
      port: appPort,
      cors: true,
      spaFallback: true,
      extraMounts,
      files: { '/config.json': JSON.stringify(appConfig, null, 2) + '\n' },
    });
    return {
      app,
      host,
      config: appConfig,
      /** The host page's URL, telling it where the app is (`?app=`), plus any other parameters. */
      hostPage(params = {}) {
        const q = new URLSearchParams({ app: app.url, ...params });
        return `${host.url}?${q}`;
      },
      async close() {
        await Promise.all([app.close(), host.close()]);
      },
    };
  } catch (err) {
    await app?.close();
    await host.close();
    throw err;
  }
}
