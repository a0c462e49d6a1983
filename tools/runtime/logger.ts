/** Minimal leveled logger used by the embedded runtime; routes function logs too. */
export type LogLevel = 'trace' | 'debug' | 'information' | 'warning' | 'error' | 'critical' | 'none';

export interface Logger {
  log(level: LogLevel, message: string, category?: string): void;
}

const ORDER: Record<LogLevel, number> = {
  trace: 0,
  debug: 1,
  information: 2,
  warning: 3,
  error: 4,
  critical: 5,
  none: 6,
};

export function levelAtLeast(level: LogLevel, min: LogLevel): boolean {
  return ORDER[level] >= ORDER[min];
}

/** Writes `[time] [category] message` lines to stderr/stdout, from `minLevel` up. */
export function consoleLogger(minLevel: LogLevel = 'information'): Logger {
  return {
    log(level, message, category) {
      if (!levelAtLeast(level, minLevel)) return;
      const line = `[${new Date().toISOString()}] ${category ? `[${category}] ` : ''}${message}`;
      if (levelAtLeast(level, 'warning')) process.stderr.write(`${line}\n`);
      else process.stdout.write(`${line}\n`);
    },
  };
}

export const silentLogger: Logger = { log: () => undefined };

/** Collects log lines in memory (tests). */
export function memoryLogger(): Logger & {
  lines: { level: LogLevel; message: string; category?: string }[];
} {
  const lines: { level: LogLevel; message: string; category?: string }[] = [];
  return { lines, log: (level, message, category) => void lines.push({ level, message, category }) };
}
