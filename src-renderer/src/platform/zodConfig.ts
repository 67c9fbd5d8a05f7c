/**
 * Must be the first import of main.tsx: zod decides at schema construction whether it may
 * compile fast parsers with `new Function`, and the renderer's CSP (`script-src 'self'`, no
 * 'unsafe-eval') forbids that. Jitless mode skips even the probe, which a CSP would otherwise
 * report as a violation in the console.
 */
import { config } from 'zod';

config({ jitless: true });
