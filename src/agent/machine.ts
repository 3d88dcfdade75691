// What the agent reports about its machine: CPUs, memory, disk, kernel, OS image, ids (read once at start).
import fs from 'node:fs';
import os from 'node:os';

export interface MachineFacts {
  cpus: number;
  memoryBytes: number;
  ephemeralStorageBytes?: number;
  kernelVersion: string;
  osImage: string;
  /** GOARCH spelling: amd64, arm64, ... */
  architecture: string;
  machineID: string;
  bootID: string;
  systemUUID: string;
}

const ARCH: Record<string, string> = {
  x64: 'amd64',
  arm64: 'arm64',
  arm: 'arm',
  ia32: '386',
  ppc64: 'ppc64le',
  s390x: 's390x',
  riscv64: 'riscv64',
};

function readTrim(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8').trim();
  } catch {
    return '';
  }
}

function osImage(): string {
  const release = readTrim('/etc/os-release');
  const m = /^PRETTY_NAME="?([^"\n]*)"?$/m.exec(release);
  return m ? m[1] : `${os.type()} ${os.release()}`;
}

function diskBytes(dir: string): number | undefined {
  try {
    const s = fs.statfsSync(dir);
    return s.blocks * s.bsize;
  } catch {
    return undefined;
  }
}

export function machineFacts(stateDir: string): MachineFacts {
  return {
    cpus: os.availableParallelism?.() ?? os.cpus().length,
    memoryBytes: os.totalmem(),
    ephemeralStorageBytes: diskBytes(fs.existsSync(stateDir) ? stateDir : os.tmpdir()),
    kernelVersion: os.release(),
    osImage: osImage(),
    architecture: ARCH[os.arch()] ?? os.arch(),
    machineID: readTrim('/etc/machine-id'),
    bootID: readTrim('/proc/sys/kernel/random/boot_id'),
    systemUUID: readTrim('/sys/class/dmi/id/product_uuid'),
  };
}
