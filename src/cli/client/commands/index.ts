// THE list of command groups, in the order `--help` shows them. Each file registers its own
// commands and declares their options once (help, completions and docs/cli.md derive from them).
import type { RegisterCommands } from '../context.ts'
import { registerAcls } from './acls.ts'
import { registerBenchmark } from './benchmark.ts'
import { registerCompletions } from './completions.ts'
import { registerConsume } from './consume.ts'
import { registerDoctor } from './doctor.ts'
import { registerGroups } from './groups.ts'
import { registerHistory } from './history.ts'
import { registerInfo } from './info.ts'
import { registerMigrate } from './migrate.ts'
import { registerProduce } from './produce.ts'
import { registerProfile } from './profile.ts'
import { registerQuery } from './query.ts'
import { registerQuickstart } from './quickstart.ts'
import { registerShell } from './shell.ts'
import { registerTop } from './top.ts'
import { registerTopics } from './topics.ts'
import { registerUsers } from './users.ts'

export const commandGroups: RegisterCommands[] = [
  registerProduce,
  registerConsume,
  registerTopics,
  registerGroups,
  registerUsers,
  registerAcls,
  registerQuery,
  registerInfo,
  registerDoctor,
  registerQuickstart,
  registerTop,
  registerMigrate,
  registerBenchmark,
  registerShell,
  registerHistory,
  registerCompletions,
  registerProfile,
]
