// What this worker was assigned in the Connect group: connector instances and tasks. A standalone
// worker (no group.id) has no WorkAssignment and runs everything connect-configs holds.

import type { Allocation, ConnectAssignment } from './connect-protocol.ts'

const taskKey = (connector: string, task: number): string => `${connector}\u0000${task}`

export class WorkAssignment {
  private readonly connectors = new Set<string>()
  private readonly tasks = new Map<string, { connector: string; task: number }>()

  ownsConnector(name: string): boolean {
    return this.connectors.has(name)
  }

  ownsTask(connector: string, task: number): boolean {
    return this.tasks.has(taskKey(connector, task))
  }

  allocation(): Allocation {
    return { connectors: [...this.connectors].sort(), tasks: [...this.tasks.values()] }
  }

  /** Applies an assignment; answers the connectors whose work changed here. */
  apply(assignment: ConnectAssignment, options: { incremental: boolean }): Set<string> {
    const affected = new Set<string>()
    if (!options.incremental) {
      for (const name of this.connectors) affected.add(name)
      for (const { connector } of this.tasks.values()) affected.add(connector)
      this.connectors.clear()
      this.tasks.clear()
    }
    for (const name of this.revoke(assignment.revoked)) affected.add(name)
    for (const name of assignment.connectors) {
      this.connectors.add(name)
      affected.add(name)
    }
    for (const { connector, task } of assignment.tasks) {
      this.tasks.set(taskKey(connector, task), { connector, task })
      affected.add(connector)
    }
    return affected
  }

  revoke(revoked: Allocation): Set<string> {
    const affected = new Set<string>()
    for (const name of revoked.connectors) {
      this.connectors.delete(name)
      affected.add(name)
    }
    for (const { connector, task } of revoked.tasks) {
      this.tasks.delete(taskKey(connector, task))
      affected.add(connector)
    }
    return affected
  }
}
