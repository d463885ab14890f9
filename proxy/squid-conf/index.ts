export { renderSquidConf } from './render.js';
export { DEFAULT_PROXY_PORT, DEFAULT_SQUID_PATHS } from './options.js';
export type { SquidConfOptions, SquidPaths } from './options.js';
export { ACCESS_LOG_FORMAT_NAME, type ProxyAccessLogLine } from './access-log.js';
export { ERROR_PAGES } from './access.js';
