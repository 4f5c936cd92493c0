// A local HTTPS server that answers for every host name (Chromium's host resolver rules
// send all of them here). Pages name their host and path; /spa/... pages can change
// their URL with history.pushState; /redirect?to=URL answers 302.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { createServer } from 'node:https';
import { tmpdir } from 'node:os';
import path from 'node:path';

function selfSignedCertificate() {
  const dir = mkdtempSync(path.join(tmpdir(), 'candor-cert-'));
  try {
    execFileSync('openssl', [
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
      '-keyout', path.join(dir, 'key.pem'), '-out', path.join(dir, 'cert.pem'),
      '-days', '2', '-subj', '/CN=candor-test',
    ], { stdio: 'pipe' });
    return { key: readFileSync(path.join(dir, 'key.pem')), cert: readFileSync(path.join(dir, 'cert.pem')) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const escape = (s) => s.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);

function page(host, url) {
  return `<!doctype html><html><head><meta charset="utf-8"><title>${escape(host + url)}</title></head>
<body><h1>${escape(host)}</h1><p>${escape(url)}</p>
<script>window.go = (to) => history.pushState({}, '', to);</script></body></html>`;
}

/**
 * The server, plus an HTTP proxy in front of it for browsers that take no host resolver
 * rules (Firefox): every CONNECT, whatever host it names, is tunnelled into the same HTTPS
 * server. `responses` records when each page's answer started, for the latency figures.
 */
export async function startHttpsServer() {
  const responses = new Map();
  const server = createServer(selfSignedCertificate(), (req, res) => {
    const host = (req.headers.host ?? '').replace(/:\d+$/, '');
    const url = new URL(req.url, 'https://x');
    if (url.pathname === '/redirect') {
      res.writeHead(302, { Location: url.searchParams.get('to') ?? '/' });
      res.end();
      return;
    }
    responses.set(`https://${host}${req.url}`, Date.now());
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' });
    res.end(page(host, req.url));
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const proxy = createHttpServer((req, res) => {
    res.writeHead(502);
    res.end();
  });
  proxy.on('connect', (req, socket, head) => {
    socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
    if (head?.length) socket.unshift(head);
    server.emit('connection', socket);
  });
  await new Promise((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  return {
    port: server.address().port,
    proxyPort: proxy.address().port,
    responses,
    close: async () => {
      server.closeAllConnections?.();
      proxy.closeAllConnections?.();
      await Promise.all([new Promise((resolve) => server.close(resolve)), new Promise((resolve) => proxy.close(resolve))]);
    },
  };
}
