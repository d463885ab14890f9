// What Squid adds to or keeps from traffic: nothing that reveals the proxy or
// the agent's network, no cache (one session's responses must never serve
// another, and the spool is a small tmpfs), and timeouts sized for streaming.

export function renderHardening(): string[] {
  return [
    'via off',
    'forwarded_for delete',
    'httpd_suppress_version_string on',
    'reply_header_access X-Cache deny all',
    'reply_header_access X-Cache-Lookup deny all',
    'cache deny all',
    'cache_mem 0 MB',
    // Model APIs stream tokens with long pauses (tool use, long thinking);
    // the default 15 minutes cuts slow streams and long-lived tunnels.
    'read_timeout 60 minutes',
    'connect_timeout 30 seconds',
    'request_timeout 2 minutes',
    // Query strings often carry tokens; keep them out of the access log.
    'strip_query_terms on',
  ];
}
