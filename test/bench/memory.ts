/** Resident memory of another process, from /proc/<pid>/status (Linux). */
import fs from 'node:fs';

/** A `kB` field of /proc/<pid>/status (VmRSS, VmHWM, …), or null when unreadable. */
export function statusKb(pid: number, field: 'VmRSS' | 'VmHWM'): number | null {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const match = status.match(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm'));
    return match?.[1] === undefined ? null : Number(match[1]);
  } catch {
    return null;
  }
}

export interface RssSampler {
  /** Stops sampling; the peak VmRSS seen in kB (null if never readable) and the sample count. */
  stop(): { peakKb: number | null; samples: number };
}

export function sampleRss(pid: number, intervalMs = 200): RssSampler {
  let peakKb: number | null = null;
  let samples = 0;
  const take = () => {
    const kb = statusKb(pid, 'VmRSS');
    if (kb === null) return;
    samples++;
    peakKb = Math.max(peakKb ?? 0, kb);
  };
  take();
  const timer = setInterval(take, intervalMs);
  return {
    stop() {
      clearInterval(timer);
      take();
      return { peakKb, samples };
    },
  };
}
