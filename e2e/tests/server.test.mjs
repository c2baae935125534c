// Tests of the test servers' options used by the embedding tests (lib/server.mjs: `files`,
// `spaFallback`, `port`; lib/embed.mjs: two origins), with fetch only: no browser, no build.
// Run: cd e2e && node --test tests/server.test.mjs

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { startServer, isSpaRoute } from '../lib/server.mjs';
import { startEmbed, embedConfig } from '../lib/embed.mjs';

/** A throwaway folder shaped like dist/: index.html, config.json, an asset and demo/. */
function fakeDist() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'traceglass-server-test-'));
  fs.writeFileSync(path.join(dir, 'index.html'), '<!DOCTYPE html><title>app</title>');
  fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify({ jaeger: { baseUrl: '', credentials: 'same-origin' } }));
  fs.writeFileSync(path.join(dir, 'app.js'), 'export {};');
  fs.mkdirSync(path.join(dir, 'demo'));
  fs.writeFileSync(path.join(dir, 'demo', 'demo.json'), '{}');
  return dir;
}

async function get(url) {
  const res = await fetch(url);
  return { status: res.status, type: res.headers.get('content-type'), text: await res.text() };
}

test('by default nothing changes: Jaeger UI paths are 404s and config.json is the file', async () => {
  const dist = fakeDist();
  const server = await startServer({ root: dist });
  try {
    assert.equal((await get(`${server.url}trace/abc`)).status, 404);
    assert.equal((await get(`${server.url}search?service=x`)).status, 404);
    const config = await get(`${server.url}config.json`);
    assert.equal(config.status, 200);
    assert.deepEqual(JSON.parse(config.text), { jaeger: { baseUrl: '', credentials: 'same-origin' } });
  } finally {
    await server.close();
    fs.rmSync(dist, { recursive: true, force: true });
  }
});

test('files: a path answers with the given body, a file or not, with its MIME type', async () => {
  const dist = fakeDist();
  const server = await startServer({
    root: dist,
    prefix: '/sub/',
    files: { '/sub/config.json': '{"embed":{}}', '/sub/extra.txt': Buffer.from('hi') },
  });
  try {
    const config = await get(`${server.url}config.json`);
    assert.equal(config.status, 200);
    assert.equal(config.text, '{"embed":{}}');
    assert.match(config.type, /^application\/json/);
    const extra = await get(`${server.url}extra.txt`);
    assert.deepEqual([extra.status, extra.text], [200, 'hi']);
    assert.match(extra.type, /^text\/plain/);
    // Other files are served as before.
    assert.equal((await get(`${server.url}app.js`)).text, 'export {};');
    const head = await fetch(`${server.url}config.json`, { method: 'HEAD' });
    assert.equal(head.headers.get('content-length'), String('{"embed":{}}'.length));
    assert.equal(server.requests.filter((r) => r.path === '/sub/config.json').length, 2, 'overrides are logged');
  } finally {
    await server.close();
    fs.rmSync(dist, { recursive: true, force: true });
  }
});

test('spaFallback: /trace/<id> and /search answer index.html; other missing paths stay 404', async () => {
  const dist = fakeDist();
  const server = await startServer({ root: dist, prefix: '/ui/', spaFallback: true, files: { '/ui/config.json': '{}' } });
  try {
    for (const p of ['trace/abc', 'trace/abc/', 'trace/abc?uiEmbed=v0', 'search', 'search/', 'search?service=a&limit=20']) {
      const r = await get(server.url + p);
      assert.equal(r.status, 200, p);
      assert.equal(r.text, '<!DOCTYPE html><title>app</title>', p);
      assert.match(r.type, /^text\/html/, p);
    }
    for (const p of ['trace/', 'trace/a/b', 'searches', 'nothing.json', 'x/trace/abc']) {
      assert.equal((await get(server.url + p)).status, 404, p);
    }
    assert.equal((await get(`${server.origin}/trace/abc`)).status, 404, 'outside the prefix');
    // Existing files are still themselves.
    assert.equal((await get(`${server.url}app.js`)).text, 'export {};');
    // Like a single page app host: an asset asked for relative to /trace/<id> gets index.html.
    assert.match((await get(`${server.url}trace/app.js`)).type, /^text\/html/);
  } finally {
    await server.close();
    fs.rmSync(dist, { recursive: true, force: true });
  }
  assert.equal(isSpaRoute('/trace/x'), true);
  assert.equal(isSpaRoute('/search'), true);
  assert.equal(isSpaRoute('/trace/x/y'), false);
  assert.equal(isSpaRoute('/p/search', '/p/'), true);
  assert.equal(isSpaRoute('/search', '/p/'), false);
});

test('startEmbed: two origins, the app allowing the host (or another origin), the demo on both', async () => {
  const dist = fakeDist();
  const host = fs.mkdtempSync(path.join(os.tmpdir(), 'traceglass-host-test-'));
  fs.writeFileSync(path.join(host, 'index.html'), 'host');
  try {
    for (const allowHost of [true, false]) {
      const embed = await startEmbed({ dist, hostRoot: host, allowHost, config: { extra: 1 } });
      try {
        assert.notEqual(embed.app.origin, embed.host.origin);
        const config = JSON.parse((await get(`${embed.app.url}config.json`)).text);
        const expected = allowHost ? embed.host.origin : `http://localhost:${embed.host.port}`;
        assert.deepEqual(config.embed.allowedOrigins, [expected]);
        assert.equal(config.extra, 1);
        assert.deepEqual(config.jaeger, { baseUrl: '', credentials: 'same-origin' }, 'the built config is kept');
        assert.equal((await get(`${embed.host.url}demo/demo.json`)).text, '{}');
        assert.equal((await get(embed.hostPage({ x: 'y' }))).text, 'host');
        assert.equal(new URL(embed.hostPage()).searchParams.get('app'), embed.app.url);
        assert.equal((await get(`${embed.app.url}trace/abc`)).status, 200, 'the app has the SPA fallback');
      } finally {
        await embed.close();
      }
    }
    assert.deepEqual(embedConfig(dist, ['http://a']).embed, { allowedOrigins: ['http://a'] });
  } finally {
    fs.rmSync(dist, { recursive: true, force: true });
    fs.rmSync(host, { recursive: true, force: true });
  }
});
