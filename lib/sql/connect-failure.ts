// Why a connection did not log in, in words: what failed and what to do. The one text for it:
// Test-SqlStore's Login and Encryption rows, Publish-Topology's database steps and the SQL Server
// topology store's error records all build on this. What the user should set is named in the caller's
// terms (AdviceTerms): Test-SqlStore's parameters, or the store address's options.
import { describeAuthentication, type ConnectFailure } from './connect.js';
import type { AdviceTerms, EncryptMode, Explanation } from './types.js';

export interface ConnectExplanation extends Explanation {
  /** Where it failed: setting up TLS ('tls'; 'strict-tls' for TDS 8.0), else the connection or the login. */
  stage: 'login' | 'tls' | 'strict-tls';
  /** The server refused the credential (18456, or another login error: 18470 disabled, 18488 password must change ...). */
  refused: boolean;
}

/** OpenSSL's words when the server's newest TLS is older than the client accepts. */
const OLD_TLS = /unsupported protocol|wrong version number|no protocols available|tlsv1 alert protocol version|UNSUPPORTED_PROTOCOL/i;

const CERT_ERRORS = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER|ALTNAME|Hostname\/IP does not match|certificate/i;

export function explainConnectFailure(
  f: ConnectFailure,
  ctx: { mode: EncryptMode; userName?: string; connectTimeoutMs: number; endpoint: string; terms: AdviceTerms },
): ConnectExplanation {
  const { terms: w } = ctx;
  const auth = describeAuthentication(ctx.userName);
  const login18456 = f.serverErrors.find((e) => e.number === 18456);
  if (login18456 || f.code === 'ELOGIN') {
    const numbers = f.serverErrors.map((e) => `error ${e.number}, state ${e.state}`).join('; ');
    const server = f.serverErrors.map((e) => e.message).join(' ') || f.message;
    const db = f.serverErrors.some((e) => e.number === 4060) ? ' The login\'s database could not be opened.' : '';
    return {
      stage: 'login',
      refused: true,
      details: `${server} (${numbers || 'no error number'}). Tried ${auth}.${db} The server's error log gives the reason for the state.`,
      action: /NTLM/.test(auth)
        ? `Check the Windows account name${w.where} (${w.windowsAccount}) and its password (${w.password}), and that the account has a SQL Server login on the instance.`
        : `Check the login name${w.where} and its password (${w.password}), that the login exists and is enabled, and that the instance allows SQL Server authentication (mixed mode); for a Windows account give ${w.windowsAccount}${w.where}.`,
    };
  }
  if (f.serverErrors.length) {
    const e = f.serverErrors[f.serverErrors.length - 1]!;
    return { stage: 'login', refused: false, details: `${e.message} (error ${e.number}, state ${e.state}). Tried ${auth}.`, action: 'See the SQL Server error log for this error number.' };
  }
  const tlsPhase = f.phase === 'SentTLSSSLNegotiation';
  // Only TLS 1.0/1.1 on offer: a SQL Server build without the TLS 1.2 update; Node.js 20 (OpenSSL 3) refuses those.
  if (OLD_TLS.test(f.message)) {
    return {
      stage: 'tls',
      refused: false,
      details: `${ctx.endpoint} offers only TLS 1.0 or 1.1, which this tool (Node.js 20, OpenSSL 3) does not accept: ${f.message.trim()}`,
      action: ctx.mode === 'Optional'
        ? `Install the TLS 1.2 update for this SQL Server build (Microsoft KB3135244: SQL Server 2008 R2 SP2, 2012 SP1 and 2014 have one); the server forces encryption, so ${w.encrypt('Optional')} cannot avoid TLS.`
        : `Install the TLS 1.2 update for this SQL Server build (Microsoft KB3135244: SQL Server 2008 R2 SP2, 2012 SP1 and 2014 have one), or, if the server does not force encryption, use ${w.encrypt('Optional')}${w.where}.`,
    };
  }
  if (f.code === 'EENCRYPT' || CERT_ERRORS.test(f.message) || (tlsPhase && f.code !== 'ETIMEOUT')) {
    return {
      stage: 'tls',
      refused: false,
      details: `TLS negotiation with ${ctx.endpoint} failed: ${f.message}`,
      action: ctx.mode === 'Strict'
        ? `With ${w.encrypt('Strict')} the certificate is always validated: give the instance a certificate trusted here whose name matches the server name, or use ${w.encrypt('Mandatory')}${w.where}.`
        : `Give the instance a certificate trusted on this host whose name matches the server name, or ${w.trustServerCertificate} to accept the certificate the server has.`,
    };
  }
  if (ctx.mode === 'Strict' && (f.phase === 'Connecting' || f.phase === 'Initialized' || f.phase === '') && f.code !== 'ETIMEOUT') {
    return {
      stage: 'strict-tls',
      refused: false,
      details: `${ctx.endpoint} did not accept a TDS 8.0 (strict) TLS connection: ${f.message}`,
      action: `${w.encrypt('Strict')} needs SQL Server 2022 or later with a certificate; use ${w.encrypt('Mandatory')}${w.where} for older releases.`,
    };
  }
  const during: Record<string, string> = {
    Connecting: 'while connecting',
    SentPrelogin: 'to the pre-login handshake',
    SentTLSSSLNegotiation: 'to the TLS handshake',
    SentLogin7WithStandardLogin: 'to the login',
    SentLogin7WithNTLMLogin: 'to the NTLM login',
    LoggedInSendingInitialSql: 'to the session setup after the login',
  };
  const where = during[f.phase] ?? 'during the login';
  if (f.code === 'ETIMEOUT') {
    return {
      stage: 'login',
      refused: false,
      details: `${ctx.endpoint} accepted the TCP connection but gave no answer ${where} within ${ctx.connectTimeoutMs} ms. Tried ${auth}.`,
      action: `Check that this port is the SQL Server instance (not another service or a hung server), and that no firewall or proxy holds the traffic; raise ${w.timeout} for a slow link.`,
    };
  }
  return {
    stage: 'login',
    refused: false,
    details: `The connection to ${ctx.endpoint} failed ${where}: ${f.message} (${f.code || 'no code'}). Tried ${auth}.`,
    action: 'Check that this port is the SQL Server instance and that it accepts remote connections (SQL Server Configuration Manager, TCP/IP enabled).',
  };
}
