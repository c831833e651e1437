// Time in the console is integer microseconds since the Unix epoch, held in a JS number:
// exact below 2^53 µs (the year 2255), so "does the window contain T" is decided exactly,
// to the microsecond, as the server decides it.

export type Micros = number;

const ISO = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/;

/** RFC 3339 text (any offset, up to nanoseconds) to microseconds; NaN if malformed. */
export function parseTime(text: string): Micros {
  const m = ISO.exec(text.trim());
  if (!m) return NaN;
  const [, y, mo, d, h, mi, s, frac = "", zone] = m;
  let ms = Date.UTC(+y, +mo - 1, +d, +h, +mi, +s);
  if (zone !== "Z") {
    const sign = zone[0] === "-" ? -1 : 1;
    const [oh, om] = zone.slice(1).split(":").map(Number);
    ms -= sign * (oh * 60 + om) * 60_000;
  }
  const micros = +(frac + "000000").slice(0, 6);
  return ms * 1000 + micros;
}

/** Microseconds to RFC 3339 UTC with microseconds: what the API reads back exactly. */
export function formatIso(t: Micros): string {
  const ms = Math.floor(t / 1000);
  const micros = t - ms * 1000;
  const base = new Date(ms).toISOString(); // ...T10:05:00.123Z
  return base.slice(0, 23) + String(micros).padStart(3, "0") + "Z";
}

/** For people: "2026-11-24 10:05:00Z" (seconds shown; fractions only when present). */
export function formatTime(t: Micros, withDate = true): string {
  if (!Number.isFinite(t)) return "—";
  const iso = formatIso(t);
  const frac = iso.slice(19, 26).replace(/\.?0+$/, "");
  const clock = iso.slice(11, 19) + frac + "Z";
  return withDate ? `${iso.slice(0, 10)} ${clock}` : clock;
}

/** A signed duration for people: "1 h 05 min", "50 s", "-3 min 10 s". */
export function formatDuration(micros: number): string {
  if (!Number.isFinite(micros)) return "—";
  const sign = micros < 0 ? "-" : "";
  let s = Math.round(Math.abs(micros) / 1e6);
  const d = Math.floor(s / 86400);
  s -= d * 86400;
  const h = Math.floor(s / 3600);
  s -= h * 3600;
  const m = Math.floor(s / 60);
  s -= m * 60;
  const parts: string[] = [];
  if (d) parts.push(`${d} d`);
  if (h) parts.push(`${h} h`);
  if (m) parts.push(`${String(m).padStart(d || h ? 2 : 1, "0")} min`);
  if (s || parts.length === 0) parts.push(`${s} s`);
  return sign + parts.slice(0, 2).join(" ");
}

/** The server's clock, as the console's "now": offset measured when the session answered. */
export class ServerClock {
  private offset = 0;

  sync(serverTime: string): void {
    const server = parseTime(serverTime);
    if (Number.isFinite(server)) this.offset = server - Date.now() * 1000;
  }

  now(): Micros {
    return Math.floor(Date.now() * 1000 + this.offset);
  }
}
