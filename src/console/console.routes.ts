import { existsSync } from 'node:fs';
import { join } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyPluginAsync } from 'fastify';
import { AppError } from '../shared/errors';
import { projectRoot } from '../shared/paths';

/** The built staff console (Vite, `npm run build`) and the standalone pages beside it. */
export const consoleDist = join(projectRoot, 'dist', 'console');
const publicPages = join(projectRoot, 'src', 'console', 'public');

/**
 * Pages of the console: only this origin's scripts and styles, documents viewed from blob: URLs
 * (the API's download route, fetched with the token), never framed by another site.
 */
const consoleCsp = [
  "default-src 'self'",
  "img-src 'self' blob: data:",
  "frame-src 'self' blob:",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * `/console/`: the SPA from dist/console first, then the standalone pages (board.html) from
 * src/console/public. A deep link (`/console/tickets/<id>`) gets the SPA's page, which routes
 * itself; a missing file with an extension stays a 404. Registered with the prefix `/console`.
 */
export const consoleRoutes: FastifyPluginAsync = async (app) => {
  const roots = [consoleDist, publicPages].filter((dir) => existsSync(dir));
  await app.register(fastifyStatic, {
    root: roots,
    prefix: '/',
    redirect: true,
    index: ['index.html'],
    // Hashed asset names change with every build; the page itself is always revalidated.
    setHeaders: (res, path) => {
      if (path.includes(join('console', 'assets'))) {
        res.setHeader('cache-control', 'public, max-age=31536000, immutable');
      } else {
        res.setHeader('cache-control', 'no-cache');
      }
    },
  });

  // The app's own page (at /console/ and every deep link). The standalone pages beside it (the
  // board, and whatever the chat transports add) keep their own rules.
  app.addHook('onSend', async (request, reply, payload) => {
    const path = request.url.split('?')[0] ?? '';
    const type = reply.getHeader('content-type');
    const appPage =
      path === '/console/' ||
      path === '/console/index.html' ||
      reply.getHeader('x-console-fallback') === '1';
    if (appPage && typeof type === 'string' && type.startsWith('text/html')) {
      void reply.header('content-security-policy', consoleCsp);
      void reply.header('x-content-type-options', 'nosniff');
      void reply.header('referrer-policy', 'no-referrer');
    } else if (typeof type === 'string' && type.startsWith('text/html')) {
      // A standalone page (board, chat) may be framed by the console only, never by another site.
      void reply.header('content-security-policy', "frame-ancestors 'self'");
      void reply.header('x-content-type-options', 'nosniff');
    }
    return payload;
  });

  const spaIndex = join(consoleDist, 'index.html');
  app.setNotFoundHandler(async (request, reply) => {
    const path = request.url.split('?')[0] ?? '';
    const isPage = !/\.[a-z0-9]+$/i.test(path);
    if ((request.method === 'GET' || request.method === 'HEAD') && isPage && existsSync(spaIndex)) {
      return reply
        .header('x-console-fallback', '1')
        .header('cache-control', 'no-cache')
        .sendFile('index.html', consoleDist);
    }
    throw new AppError('ROUTE_NOT_FOUND');
  });
};
