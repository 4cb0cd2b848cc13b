// Console transcripts of labOS: the normalisation under which two runs of the same script must
// be identical (on QEMU twice, or on QEMU and on our own hart). Only lines the guest marks as
// timing-dependent are masked: BENCH lines, the secret's fingerprint and counter, UPTIME.

export function normalizeTranscript(text: string): string {
  return text
    .replace(/\r\n/g, '\n')
    .split('\n')
    .map((line) => {
      const bench = /^BENCH (\S+) (\S+) \d+ instret \d+ time_us \d+$/.exec(line);
      if (bench) return `BENCH ${bench[1] ?? ''} ${bench[2] ?? ''} <value>`;
      const secret = /^SECRET fingerprint [0-9a-f]{16} counter \d+ store (disk|memory)$/.exec(line);
      if (secret) return `SECRET fingerprint <fp> counter <n> store ${secret[1] ?? ''}`;
      if (/^UPTIME \d+\.\d{3} s$/.test(line)) return 'UPTIME <t>';
      return line;
    })
    .join('\n');
}
