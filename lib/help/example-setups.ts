// The set-ups that help examples name (Example.setup): what a reader runs first to try an example, and
// what the help test runs before it. No server is needed for any of them (a topology without a
// Persistent Chat pool publishes without probing anything).

/** A draft with the site Redmond and the Front End pool fepool.contoso.com. */
export const SETUP_TOPOLOGY = 'pchat New-Topology && pchat New-Site -Name Redmond && pchat New-FrontEndPool -Fqdn fepool.contoso.com -Site Redmond -Computer fe01.contoso.com';

/** SETUP_TOPOLOGY published as revision 1, then the site Dublin added to the draft. */
export const SETUP_PUBLISHED = `${SETUP_TOPOLOGY} && pchat Publish-Topology -Force && pchat New-Site -Name Dublin`;

/** SETUP_TOPOLOGY with the Persistent Chat pool pchatpool.contoso.com and its stores. */
export const SETUP_POOL =
  `${SETUP_TOPOLOGY} && pchat New-PersistentChatPool -Fqdn pchatpool.contoso.com -Site Redmond -Computer pchat01.contoso.com ` +
  "-DisplayName 'Redmond chat' -NextHopPool fepool.contoso.com -SqlServerFqdn sql01.contoso.com -SqlInstance PCHAT -FileServerFqdn fs01.contoso.com -FileShare pchat";
