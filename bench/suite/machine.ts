// What the numbers were measured on: enough to judge whether two result files are comparable
// (CPU, cores, memory, kernel, Node, the filesystem under the scratch dir, the load on the machine
// before and after, and the exact code: git commit plus whether the tree had local changes).
import { execFileSync } from 'node:child_process'
import os from 'node:os'
import { repositoryRoot } from './broker.ts'

export interface MachineInfo {
  cpuModel: string
  cores: number
  memoryBytes: number
  kernel: string
  platform: string
  node: string
  /** 1, 5 and 15 minute load averages. */
  loadAverageBefore: number[]
  loadAverageAfter: number[]
  gitCommit: string
  /** True when tracked files had uncommitted changes (the numbers are then of that working tree). */
  gitDirty: boolean
  /** `ext4 /dev/vda`: where the data dirs and baseline files were written. */
  scratchFilesystem: string
  brokerEntry: string
  brokerEntryReason: string
}

function commandOutput(command: string, args: string[]): string {
  try {
    return execFileSync(command, args, { cwd: repositoryRoot, encoding: 'utf8', timeout: 10_000 }).trim()
  } catch {
    return 'unknown'
  }
}

export function loadAverage(): number[] {
  return os.loadavg().map((value) => Number(value.toFixed(2)))
}

export function describeMachine(
  scratchDir: string,
): Omit<MachineInfo, 'loadAverageAfter' | 'brokerEntry' | 'brokerEntryReason'> {
  const filesystem = commandOutput('df', ['--output=fstype,source', scratchDir]).split('\n')[1] ?? 'unknown'
  return {
    cpuModel: os.cpus()[0]?.model.trim() ?? 'unknown',
    cores: os.availableParallelism(),
    memoryBytes: os.totalmem(),
    kernel: `${os.type()} ${os.release()}`,
    platform: `${os.platform()}-${os.arch()}`,
    node: process.version,
    loadAverageBefore: loadAverage(),
    gitCommit: commandOutput('git', ['rev-parse', 'HEAD']),
    gitDirty: commandOutput('git', ['status', '--porcelain', '--untracked-files=no']) !== '',
    scratchFilesystem: filesystem.trim().replace(/\s+/g, ' '),
  }
}
