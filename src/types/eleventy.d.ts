/**
 * Eleventy 3 ships no TypeScript declarations for its main entry: just the parts of its API this project uses.
 * https://www.11ty.dev/docs/programmatic/ and https://www.11ty.dev/docs/config/
 */
declare module "@11ty/eleventy" {
  export interface UserConfig {
    addGlobalData(name: string, data: unknown): UserConfig;
    addFilter(name: string, callback: (...args: never[]) => unknown): UserConfig;
    addPlugin<Options>(plugin: (eleventyConfig: UserConfig, options: Options) => unknown, options?: Options): UserConfig;
    addPassthroughCopy(fileOrDir: string | Record<string, string>, copyOptions?: Record<string, unknown>): UserConfig;
    setTemplateFormats(formats: string | string[]): UserConfig;
    setNunjucksEnvironmentOptions(options: Record<string, unknown>): UserConfig;
    setUseGitIgnore(enabled: boolean): UserConfig;
    setInputDirectory(dir: string): UserConfig;
    setOutputDirectory(dir: string): UserConfig;
    setIncludesDirectory(dir: string): UserConfig;
    setLayoutsDirectory(dir: string): UserConfig;
    setDataDirectory(dir: string): UserConfig;
    setQuietMode(quiet: boolean): UserConfig;
  }

  export interface EleventyOptions {
    /** A config file to load; "" loads none. */
    configPath?: string;
    quietMode?: boolean;
    pathPrefix?: string;
    /** Runs before any config file, with the same UserConfig. */
    config?: (eleventyConfig: UserConfig) => void | Promise<void>;
  }

  export interface WrittenPage {
    inputPath: string;
    outputPath: string | false;
    url: string | false;
    content: string;
  }

  export class Eleventy {
    constructor(input?: string, output?: string, options?: EleventyOptions);
    write(): Promise<Array<WrittenPage | WrittenPage[]>>;
  }
}
