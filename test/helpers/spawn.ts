/**
 * Runs a command's script in a child Node (the same Node 24 as the tests, with tsx as a loader) from the repository
 * root, as a user's shell would. Node itself, not the tsx wrapper: a SIGKILL must hit the process doing the work.
 */
import { spawn } from "node:child_process";
import path from "node:path";

export const ROOT = path.resolve(import.meta.dirname, "../..");

export interface ScriptRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** stdout and stderr as they arrived. */
  output: string;
}

/**
 * `script` is relative to the repository root; `killWhen` is polled every 5 ms and SIGKILLs the child once true; `env`
 * is added to this process's environment.
 */
export function runScript(script: string, args: string[], { killWhen, env }: { killWhen?: () => boolean; env?: Record<string, string> } = {}): Promise<ScriptRun> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["--import", "tsx", script, ...args], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"], ...(env ? { env: { ...process.env, ...env } } : {}) });
    let stdout = "";
    let stderr = "";
    let output = "";
    child.stdout.on("data", (d) => {
      stdout += d;
      output += d;
    });
    child.stderr.on("data", (d) => {
      stderr += d;
      output += d;
    });
    const timer = killWhen
      ? setInterval(() => {
          if (killWhen()) {
            clearInterval(timer);
            child.kill("SIGKILL");
          }
        }, 5)
      : undefined;
    child.on("exit", (code, signal) => {
      clearInterval(timer);
      resolve({ code, signal, stdout, stderr, output });
    });
  });
}
