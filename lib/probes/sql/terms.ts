// The SQL client's advice (lib/sql) in the words of Test-SqlStore's and Publish-Topology's parameters:
// both take -SqlCredential/-SqlCredentialFile, -Encrypt, -TrustServerCertificate and -TimeoutSeconds,
// and a store's fixed port comes from -Port (Test-SqlStore) or New-SqlStore -Port (the topology).
import type { AdviceTerms } from '../../sql/types.js';

export const PARAMETER_TERMS: AdviceTerms = {
  password: 'PCHAT_SQL_PASSWORD or -SqlCredentialFile',
  where: '',
  windowsAccount: 'DOMAIN\\user',
  encrypt: (mode) => `-Encrypt ${mode}`,
  trustServerCertificate: 'pass -TrustServerCertificate',
  timeout: '-TimeoutSeconds',
  port: '-Port, or New-SqlStore -Port',
  credential: 'Give -SqlCredential <login> (or DOMAIN\\user) with the password in PCHAT_SQL_PASSWORD or a -SqlCredentialFile.',
};
