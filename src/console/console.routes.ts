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
const spaIndex = join(consoleDist, 'index.html');

/**
 * The standalone pages (board, chat): this origin's scripts only, their inline <style>, and
 * framed by the console only, never by another site.
 */
const standaloneCsp = [
  "default-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'self'",
].join('; ');

export const consoleRoutes: FastifyPluginAsync = async (app) => {
  const roots = [consoleDist, publicPages].filter((dir) => existsSync(dir));
  await app.register(fastifyStatic, {
    root: roots,
    prefix: '/',
    redirect: true,
    index: ['index.html'],
    // Hashed asset names change with every build; the page itself is always revalidated.
    setHeaders: (res, path) => {
      // By the file served, not the URL: the app's page under any path it is reached by.
      if (path === spaIndex) {
        res.setHeader('content-security-policy', consoleCsp);
        res.setHeader('x-content-type-options', 'nosniff');
        res.setHeader('referrer-policy', 'no-referrer');
      } else if (path.endsWith('.html')) {
        res.setHeader('content-security-policy', standaloneCsp);
        res.setHeader('x-content-type-options', 'nosniff');
      }
      if (path.includes(join('console', 'assets'))) {
        res.setHeader('cache-control', 'public, max-age=31536000, immutable');
      } else {
        res.setHeader('cache-control', 'no-cache');
      }
    },
  });

  app.setNotFoundHandler(async (request, reply) => {
    const path = request.url.split('?')[0] ?? '';
    const isPage = !/\.[a-z0-9]+$/i.test(path);
    if ((request.method === 'GET' || request.method === 'HEAD') && isPage && existsSync(spaIndex)) {
      return reply
        .header('x-console-fallback', '1')
        .header('cache-control', 'no-cache')
        .header('content-security-policy', consoleCsp)
        .header('x-content-type-options', 'nosniff')
        .header('referrer-policy', 'no-referrer')
        .sendFile('index.html', consoleDist);
    }
    throw new AppError('ROUTE_NOT_FOUND');
  });
};
