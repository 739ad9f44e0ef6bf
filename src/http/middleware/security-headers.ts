import type { RequestHandler } from 'express';
import helmet from 'helmet';

/**
 * Security headers (helmet) for a JSON API. Helmet's defaults are kept, including its strict
 * Content-Security-Policy (`default-src 'self'`), which a JSON answer never needs relaxed and
 * which still lets a later same-origin HTML page (GET /) load its own scripts and styles.
 * `Cross-Origin-Resource-Policy: cross-origin`, because EHRs call CDS Hooks services from other
 * origins (browser-based EHRs, the CDS Hooks sandbox); CORS itself is decided per route.
 */
export function securityHeaders(): RequestHandler {
  return helmet({
    crossOriginResourcePolicy: { policy: 'cross-origin' },
  });
}
