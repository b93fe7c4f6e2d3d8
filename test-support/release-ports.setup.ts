/**
 * Vitest setup file: gives back this test file's port reservations once its own `afterAll`
 * hooks (which stop the servers) have run. Vitest ends its worker processes without an `exit`
 * event, so `free-port.ts`'s exit hook alone would leave them for a later takeover.
 */
import { afterAll } from 'vitest';
import { releaseAllPorts } from './free-port.js';

afterAll(releaseAllPorts);
