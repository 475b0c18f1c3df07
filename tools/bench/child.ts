/**
 * Runs one measured part of the benchmark in a child process of its own, so its peak RSS is its own: the child
 * reports its figures over IPC (process.send) and exits. TypeScript is loaded as `npm run` loads it, through tsx.
 */
import { fork } from "node:child_process";
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";

export interface ChildRun<T> {
  result: T;
  /** From fork to exit: the figure a person waiting on the command would see, startup included. */
  processMs: number;
}

export async function runChild<T>(script: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<ChildRun<T>> {
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href;
  const started = performance.now();
  const child = fork(script, args, { execArgv: ["--import", tsx], env, stdio: ["ignore", "inherit", "inherit", "ipc"] });
  let result: T | undefined;
  child.on("message", (message) => (result = message as T));
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once("error", reject);
    child.once("exit", (exitCode) => resolve(exitCode));
  });
  const processMs = performance.now() - started;
  if (result === undefined) throw new Error(`${script} ${args.join(" ")} exited with code ${code} without reporting its figures`);
  return { result, processMs };
}

/** The figures every child reports about itself. */
export interface ProcessFigures {
  /** Peak resident memory of the whole process (every thread), from getrusage. */
  peakRssBytes: number;
  /** CPU time of the whole process, user + system, every thread. */
  cpuMs: number;
}

export function processFigures(cpuSince?: NodeJS.CpuUsage): ProcessFigures {
  const cpu = process.cpuUsage(cpuSince);
  return { peakRssBytes: process.resourceUsage().maxRSS * 1024, cpuMs: (cpu.user + cpu.system) / 1000 };
}

/** Sends the figures to the parent and lets the process end once they are written. */
export function report(figures: unknown): void {
  process.send!(figures, () => process.disconnect());
}
