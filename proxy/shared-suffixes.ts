// Refuses allowlist entries that would open a registry-wide or shared-hosting
// namespace. Without the full Public Suffix List (a dependency we avoid for
// now) this is a heuristic: it catches the common mistakes ('.co.uk',
// '.github.io') and says why; anything it misses is still a deliberate,
// logged choice by the human who typed it.

// Second-level labels registries use under country codes: co.uk, com.au, ac.jp…
const REGISTRY_SECOND_LEVEL = new Set(
  'ac co com edu go gob gov lg ltd me mil ne net nhs or org plc sch'.split(' '),
);

// Suffixes where anyone can get a subdomain: allowing `.SUFFIX` would let an
// agent send data to any tenant, i.e. to anyone. Exact hosts under them are fine.
const SHARED_HOSTING = new Set(
  [
    'amazonaws.com appspot.com azurewebsites.net blob.core.windows.net cloudfront.net firebaseapp.com',
    'github.io githubusercontent.com gitlab.io herokuapp.com netlify.app ngrok.io ngrok-free.app pages.dev',
    'r2.dev trycloudflare.com vercel.app web.app workers.dev',
  ]
    .join(' ')
    .split(' '),
);

/** A refusal reason when `labels` names a public or shared suffix, else undefined. */
export function sharedSuffixReason(labels: readonly string[], subdomains: boolean): string | undefined {
  const [second, top] = labels;
  if (labels.length === 2 && second !== undefined && top !== undefined) {
    if (top.length === 2 && REGISTRY_SECOND_LEVEL.has(second)) {
      return 'it is a public suffix (like a top-level domain), not a host';
    }
  }
  if (subdomains && SHARED_HOSTING.has(labels.join('.'))) {
    return 'its subdomains belong to many unrelated owners; allow the exact host instead';
  }
  return undefined;
}
