// A small static file server for the end-to-end tests (node:http only, no dependencies).
//
//   const server = await startServer({ root: distDir, prefix: '/some/sub/path/', cors: true,
//                                      extraMounts: { '/fixtures/': fixturesDir } });
//   server.url      // 'http://127.0.0.1:PORT/some/sub/path/'  (where the app lives)
//   server.origin   // 'http://127.0.0.1:PORT'
//   server.port     // PORT
//   server.requests // [{ method, path, status }] every request answered, in order
//   await server.close();
//
// - Binds 127.0.0.1 on a free port (port 0), or on `port` when given (e.g. `port: 8080`).
// - `root` is served under `prefix`; the prefix itself (and any directory) answers with its
//   index.html; the prefix without its trailing slash redirects (301) to it.
// - `extraMounts` maps URL prefixes to folders, e.g. { '/fixtures/': '/path/to/fixtures' }.
//   The longest matching prefix wins.
// - Anything else, and any missing file, is a 404: that is the "deliberate 404" route
//   (`MISSING_PATH` below is a path that never exists).
// - Path traversal (a `..` segment, encoded or not, a backslash, a NUL byte, or a symlink
//   leading out of the mounted folder) is refused with 403.
// - `cors: true` adds `Access-Control-Allow-Origin: *` to every response (and answers
//   preflight OPTIONS requests); with `cors: false` no CORS header is ever sent.
// - `.gz` files are sent as application/gzip with no Content-Encoding, so the browser hands
//   the compressed bytes to the app untouched.
// - Every response carries `Cache-Control: no-store`.
// - `files` overrides single files: it maps a URL path to the body to answer with, e.g.
//   { '/config.json': JSON.stringify({ embed: { allowedOrigins: [host.origin] } }) }. The key is
//   the whole path (prefix included: '/some/sub/path/config.json'), the value a string or a
//   Buffer, served with the MIME type of the key's extension. An override wins over a file of the
//   same path in a mounted folder; it is served even when no such file exists.
// - `spaFallback: true` answers Jaeger UI's path shapes with the app's index.html, as a single
//   page app host does (nginx `try_files $uri /index.html`): `<prefix>trace/<id>` (one path
//   segment, an optional trailing slash) and `<prefix>search` (or `<prefix>search/`), whatever the
//   query. Only paths that are not a file are answered so; anything else missing is still a 404.
//   Like such a host, it answers `<prefix>trace/x.js` with index.html too: a page at
//   `<prefix>trace/<id>` must not load its assets relative to that path. With `spaFallback: false`
//   (the default) those paths are 404s like any missing path.

import http from 'node:http';
import fs from 'node:fs/promises';
import path from 'node:path';

export const MIME_TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.htm': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.ndjson': 'application/x-ndjson; charset=utf-8',
  '.jsonl': 'application/x-ndjson; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.md': 'text/markdown; charset=utf-8',
  '.wasm': 'application/wasm',
  '.ico': 'image/x-icon',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.gz': 'application/gzip',
  '.webmanifest': 'application/manifest+json',
};

/** A path no server ever has: requesting it gives a 404. */
export const MISSING_PATH = '/__traceglass_e2e_missing__/nothing.json';

export function mimeType(filePath) {
  return MIME_TYPES[path.extname(filePath).toLowerCase()] ?? 'application/octet-stream';
}

/** '/a/b' -> '/a/b/', 'a' -> '/a/', '' -> '/' */
function normalizePrefix(prefix) {
  let p = String(prefix ?? '/');
  if (!p.startsWith('/')) p = '/' + p;
  if (!p.endsWith('/')) p += '/';
  return p;
}

class HttpError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

/**
 * Maps the part of the URL path after a mount prefix to a file inside `folder`.
 * `rest` is still percent-encoded. Throws HttpError(403) on traversal, HttpError(400) on bad
 * encoding; returns the absolute path (not yet checked for existence).
 */
function resolveInside(folder, rest) {
  const segments = [];
  for (const raw of rest.split('/')) {
    let seg;
    try {
      seg = decodeURIComponent(raw);
    } catch {
      throw new HttpError(400, 'bad percent-encoding');
    }
    if (seg === '..' || seg.includes('/') || seg.includes('\\') || seg.includes('\0')) {
      throw new HttpError(403, 'path traversal refused');
    }
    if (seg === '' || seg === '.') continue;
    segments.push(seg);
  }
  const full = path.resolve(folder, ...segments);
  if (full !== folder && !full.startsWith(folder + path.sep)) {
    throw new HttpError(403, 'path traversal refused');
  }
  return full;
}

async function statOrNull(p) {
  try {
    return await fs.stat(p);
  } catch {
    return null;
  }
}

/**
 * Whether `rawPath` (still percent-encoded) is one of Jaeger UI's page paths under `prefix`:
 * `<prefix>trace/<id>` or `<prefix>search`, each with an optional trailing slash.
 */
export function isSpaRoute(rawPath, prefix = '/') {
  const p = normalizePrefix(prefix);
  if (!rawPath.startsWith(p)) return false;
  const rest = rawPath.slice(p.length).replace(/\/$/, '');
  return rest === 'search' || /^trace\/[^/]+$/.test(rest);
}

/**
 * Starts the server. Resolves once it listens.
 * @param {{ root: string, prefix?: string, cors?: boolean, extraMounts?: Record<string, string>,
 *           files?: Record<string, string | Buffer>, spaFallback?: boolean, port?: number }} options
 * @returns {Promise<{ url: string, origin: string, port: number, prefix: string,
 *                     requests: {method: string, path: string, status: number}[],
 *                     close: () => Promise<void> }>}
 */
export async function startServer({
  root,
  prefix = '/',
  cors = false,
  extraMounts = {},
  files = {},
  spaFallback = false,
  port: listenPort = 0,
} = {}) {
  if (!root) throw new Error('startServer: `root` is required');
  const mainPrefix = normalizePrefix(prefix);

  // Single-file overrides: URL path -> body.
  const overrides = new Map();
  for (const [urlPath, body] of Object.entries(files)) {
    if (!urlPath.startsWith('/')) throw new Error(`startServer: a \`files\` key must be a path starting with '/': ${urlPath}`);
    if (typeof body !== 'string' && !Buffer.isBuffer(body)) {
      throw new Error(`startServer: the body of ${urlPath} in \`files\` must be a string or a Buffer`);
    }
    overrides.set(urlPath, Buffer.from(body));
  }

  // Mount table: [urlPrefix, realFolder], longest prefix first.
  const mounts = [];
  for (const [urlPrefix, folder] of [[mainPrefix, root], ...Object.entries(extraMounts)]) {
    let real;
    try {
      real = await fs.realpath(path.resolve(folder));
    } catch {
      throw new Error(`startServer: folder for ${urlPrefix} does not exist: ${folder}`);
    }
    mounts.push([normalizePrefix(urlPrefix), real]);
  }
  mounts.sort((a, b) => b[0].length - a[0].length);

  const requests = [];

  async function handle(req) {
    const method = req.method ?? 'GET';
    if (method !== 'GET' && method !== 'HEAD') {
      throw new HttpError(405, 'method not allowed');
    }
    // Keep the raw path: `new URL` would silently normalise `..` away.
    const rawPath = (req.url ?? '/').split(/[?#]/, 1)[0] || '/';
    if (!rawPath.startsWith('/')) throw new HttpError(400, 'bad request path');

    const override = overrides.get(rawPath);
    if (override) return { body: override, type: mimeType(rawPath) };

    try {
      return await serveFromMounts(rawPath, req);
    } catch (err) {
      if (spaFallback && err instanceof HttpError && err.status === 404 && isSpaRoute(rawPath, mainPrefix)) {
        const index = overrides.get(mainPrefix + 'index.html');
        if (index) return { body: index, type: mimeType('index.html') };
        return serveFromMounts(mainPrefix + 'index.html', req);
      }
      throw err;
    }
  }

  async function serveFromMounts(rawPath, req) {
    for (const [urlPrefix, folder] of mounts) {
      // '/some/sub/path' (no trailing slash) -> redirect to the prefix itself.
      if (rawPath + '/' === urlPrefix && urlPrefix !== '/') {
        const query = (req.url ?? '').slice(rawPath.length);
        return { redirect: urlPrefix + query };
      }
      if (!rawPath.startsWith(urlPrefix)) continue;

      let file = resolveInside(folder, rawPath.slice(urlPrefix.length));
      let st = await statOrNull(file);
      if (st?.isDirectory() && !rawPath.endsWith('/')) {
        // Like any static server: a directory's URL ends with '/', so relative URLs resolve.
        const query = (req.url ?? '').slice(rawPath.length);
        return { redirect: rawPath + '/' + query };
      }
      if (st?.isDirectory()) {
        file = path.join(file, 'index.html');
        st = await statOrNull(file);
      }
      if (!st?.isFile()) throw new HttpError(404, 'not found');
      // A symlink inside the folder must not lead out of it.
      const real = await fs.realpath(file);
      if (real !== folder && !real.startsWith(folder + path.sep)) {
        throw new HttpError(403, 'path traversal refused');
      }
      return { file: real, size: st.size };
    }
    throw new HttpError(404, 'not found');
  }

  const server = http.createServer((req, res) => {
    const pathOnly = (req.url ?? '/').split('?', 1)[0];
    const baseHeaders = { 'Cache-Control': 'no-store' };
    if (cors) baseHeaders['Access-Control-Allow-Origin'] = '*';

    const finish = (status, headers, body) => {
      requests.push({ method: req.method, path: pathOnly, status });
      res.writeHead(status, { ...baseHeaders, ...headers });
      res.end(req.method === 'HEAD' ? undefined : body);
    };

    if (req.method === 'OPTIONS' && cors) {
      finish(204, {
        'Access-Control-Allow-Methods': 'GET, HEAD, OPTIONS',
        'Access-Control-Allow-Headers': req.headers['access-control-request-headers'] ?? '*',
        'Content-Length': '0',
      });
      return;
    }

    handle(req)
      .then(async (result) => {
        if (result.redirect) {
          finish(301, { Location: result.redirect, 'Content-Length': '0' });
          return;
        }
        if (result.body) {
          finish(200, { 'Content-Type': result.type, 'Content-Length': String(result.body.length) }, result.body);
          return;
        }
        const body = req.method === 'HEAD' ? undefined : await fs.readFile(result.file);
        finish(200, { 'Content-Type': mimeType(result.file), 'Content-Length': String(result.size) }, body);
      })
      .catch((err) => {
        const status = err instanceof HttpError ? err.status : 500;
        const text = err instanceof HttpError ? err.message : `internal error: ${err?.message ?? err}`;
        const body = Buffer.from(`${status} ${text}\n`);
        const headers = { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': String(body.length) };
        if (status === 405) headers.Allow = 'GET, HEAD';
        finish(status, headers, body);
      });
  });

  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(listenPort, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });

  const { port } = server.address();
  const origin = `http://127.0.0.1:${port}`;
  let closed = null;

  return {
    url: origin + mainPrefix,
    origin,
    port,
    prefix: mainPrefix,
    requests,
    close() {
      if (!closed) {
        closed = new Promise((resolve) => {
          server.close(() => resolve());
          // Keep-alive connections from the browser would otherwise hold close() open.
          server.closeAllConnections?.();
        });
      }
      return closed;
    },
  };
}
