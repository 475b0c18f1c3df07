/**
 * What every command's entry point shares: whether its module is the script node was asked to run, and running its
 * main with uniform exit codes (a UsageError is exit 2 with its message; anything unexpected is printed whole).
 */
import { realpathSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { UsageError } from "../util/options.ts";

/** Whether the module at `moduleUrl` is the script node was asked to run (commands are also imported by others). */
export function isMain(moduleUrl: string): boolean {
  const entry = process.argv[1];
  if (!entry) return false;
  try {
    return realpathSync(entry) === realpathSync(fileURLToPath(moduleUrl));
  } catch {
    return false;
  }
}

/** The streams and surroundings a command runs in: the process's, or a test's. */
export interface CommandIo {
  stdout: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  stderr: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  env: NodeJS.ProcessEnv;
  cwd: string;
}

export function processIo(): CommandIo {
  return { stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd() };
}

export type CommandMain = (argv: string[], io?: CommandIo) => Promise<number>;

/** Runs a command's main on the process's arguments and sets the exit code. */
export function runMain(name: string, main: CommandMain, { unexpectedExitCode = 1 }: { unexpectedExitCode?: number } = {}): void {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      if (error instanceof UsageError) {
        process.stderr.write(`${name}: ${error.message}\n`);
        process.exitCode = 2;
        return;
      }
      process.stderr.write(`${name}: unexpected error: ${(error as Error)?.stack ?? String(error)}\n`);
      process.exitCode = unexpectedExitCode;
    },
  );
}
