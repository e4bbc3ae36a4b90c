import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** What `npm run stack:up` started, as written to `.stack/stack.json`. */
export interface StackInfo {
  kafka: {
    brokers: string[];
    /** Second listener, SASL_PLAINTEXT with SCRAM-SHA-256 and PLAIN. */
    saslBrokers: string[];
    scram: { username: string; password: string };
    /** kafkajs mechanism names the SASL listener accepts (the scram user works with each). */
    saslMechanisms?: string[];
  };
  ha: {
    url: string;
    /** The Home Assistant release that runs (2025.4.4, or 2024.3.3 where no Python 3.13 is found). */
    version?: string;
    token: string;
    configDir: string;
    /** Where the `notifyService` appends each message, one line each. */
    notifyFile: string;
    notifyService?: string;
    /**
     * The meter tests can drive: set an input with `input_number.set_value`, the sensor follows.
     * `temperature` (a measurement, °C) is absent from a stack started before it was configured.
     */
    entities?: { energy: string; power: string; energyInput: string; powerInput: string; temperature?: string; temperatureInput?: string };
  };
  registry: { url: string } | null;
  /** True only when the stack was started without a registry on purpose (STACK_REGISTRY=0). */
  registryOptedOut?: boolean;
}

export function projectRoot(): string {
  return process.env.STREAM_SMARTS_ROOT ?? join(__dirname, '..', '..', '..');
}

/** The stack's directory: `$STACK_DIR` when set (as for scripts/stack.sh), else `<root>/.stack`. */
export function stackDir(): string {
  return process.env.STACK_DIR ?? join(projectRoot(), '.stack');
}

let cached: StackInfo | undefined;

export function stackInfo(): StackInfo {
  if (!cached) {
    const file = join(stackDir(), 'stack.json');
    try {
      cached = JSON.parse(readFileSync(file, 'utf8')) as StackInfo;
    } catch (error) {
      throw new Error(`the local stack is not up (${file}: ${(error as Error).message}); run npm run stack:up`);
    }
  }
  return cached;
}

/** What a registry test needs to know before it runs: its URL, a reason to skip, or a failure. */
export type RegistryAvailability = { url: string } | { skip: string };

/**
 * The stack's schema registry. A registry that should be there and is not fails the test: only a
 * stack started with STACK_REGISTRY=0 on purpose lets registry tests skip.
 */
export function stackRegistry(info: StackInfo = stackInfo()): RegistryAvailability {
  if (info.registry) return info.registry;
  if (info.registryOptedOut) return { skip: 'the stack was started without a schema registry (STACK_REGISTRY=0)' };
  throw new Error(`the stack's schema registry is not running (stack.json registry: null; see ${join(stackDir(), 'logs')})`);
}
