// The renderer's Content-Security-Policy, sent as a header by the cvlab:// protocol handler and
// repeated as a <meta> tag in renderer/index.html (a test keeps the two identical). Scripts and
// workers only from the app itself (workers may be blob: for Monaco), no network but 'self'
// (the web mode's same-origin WebSocket), no plugins, no forms, no <base> tricks.
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  // Monaco and xterm.js set inline styles at run time; scripts stay strict.
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "worker-src 'self' blob:",
  "base-uri 'none'",
  "form-action 'none'",
  "object-src 'none'",
].join('; ');
