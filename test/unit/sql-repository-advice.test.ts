// The connection advice a store command gives is the SQL client's (Test-SqlStore's too), in the terms
// of the store's address: no parameter the store commands do not have.
import test from 'ava';
import type { ConnectFailure } from '../../lib/sql/connect.js';
import { explainConnectFailure } from '../../lib/sql/connect-failure.js';
import { inAddressTerms } from '../../lib/topology/sql-repository.js';

const failures: [string, ConnectFailure, 'Mandatory' | 'Optional' | 'Strict'][] = [
  ['an untrusted certificate', { code: 'ESOCKET', message: 'self-signed certificate', serverErrors: [], phase: 'SentTLSSSLNegotiation' }, 'Mandatory'],
  ['an untrusted certificate, strict', { code: 'ESOCKET', message: 'self-signed certificate', serverErrors: [], phase: 'SentTLSSSLNegotiation' }, 'Strict'],
  ['only TLS 1.0', { code: 'ESOCKET', message: 'unsupported protocol', serverErrors: [], phase: 'SentTLSSSLNegotiation' }, 'Mandatory'],
  ['only TLS 1.0, optional', { code: 'ESOCKET', message: 'unsupported protocol', serverErrors: [], phase: 'SentTLSSSLNegotiation' }, 'Optional'],
  ['no TDS 8.0', { code: 'ESOCKET', message: 'socket hang up', serverErrors: [], phase: 'Connecting' }, 'Strict'],
  ['a silent server', { code: 'ETIMEOUT', message: 'timeout', serverErrors: [], phase: 'SentPrelogin' }, 'Mandatory'],
  ['a refused connection', { code: 'ESOCKET', message: 'ECONNRESET', serverErrors: [], phase: 'SentPrelogin' }, 'Mandatory'],
];

for (const [what, f, mode] of failures) {
  test(`${what}: the advice names only the address's options`, (t) => {
    const advice = inAddressTerms(explainConnectFailure(f, { mode, userName: 'pchatstore', connectTimeoutMs: 15_000, endpoint: 'sql01.pchat.test:1433' }).action);
    t.true(advice.length > 0);
    t.notRegex(advice, /(^|\s)-(Encrypt|TrustServerCertificate|TimeoutSeconds|Port)\b/, advice);
  });
}
