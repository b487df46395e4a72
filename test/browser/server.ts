/** The browser tests serve their pages with the project's one static server. */
export { serveStatic, type StaticServer } from '../../scripts/lib/static-server.ts';
