// The data and the screen of `top`, apart from the terminal: a snapshot (topics with record rates,
// groups with lag, broker stats from /metrics) and a pure function that renders it, with the
// selection, sort and filter, to lines that fit the screen.
import { formatTable } from './output.ts'

export interface TopicStat {
  name: string
  partitions: number
  records: bigint
  recordsPerSecond: number | null
  bytesInPerSecond: number | null
  bytesOutPerSecond: number | null
}

export interface GroupStat {
  groupId: string
  state: string
  members: number
  lag: bigint
}

export interface BrokerStat {
  connections: number | null
  requestsInFlight: number | null
  diskFreeBytes: number | null
}

export interface Snapshot {
  at: Date
  topics: TopicStat[]
  groups: GroupStat[]
  broker: BrokerStat
  error: string | null
}

export type Panel = 'topics' | 'groups'
export const topicSorts = ['name', 'rate', 'records'] as const
export const groupSorts = ['name', 'lag'] as const

export interface ViewState {
  panel: Panel
  topicSort: (typeof topicSorts)[number]
  groupSort: (typeof groupSorts)[number]
  filter: string
  /** Filter being typed after '/', or null. */
  editingFilter: string | null
  selected: number
}

export function initialView(): ViewState {
  return {
    panel: 'topics',
    topicSort: 'name',
    groupSort: 'name',
    filter: '',
    editingFilter: null,
    selected: 0,
  }
}

const rate = (value: number | null): string => (value === null ? '-' : value.toFixed(1))
const bytes = (value: number | null): string => {
  if (value === null) return '-'
  if (value >= 1024 ** 3) return `${(value / 1024 ** 3).toFixed(1)}G`
  if (value >= 1024 ** 2) return `${(value / 1024 ** 2).toFixed(1)}M`
  if (value >= 1024) return `${(value / 1024).toFixed(1)}K`
  return value.toFixed(0)
}

export function visibleTopics(snapshot: Snapshot, view: ViewState): TopicStat[] {
  const rows = snapshot.topics.filter((topic) => topic.name.includes(view.filter))
  if (view.topicSort === 'rate')
    return rows.sort(
      (a, b) => (b.recordsPerSecond ?? 0) - (a.recordsPerSecond ?? 0) || a.name.localeCompare(b.name),
    )
  if (view.topicSort === 'records')
    return rows.sort((a, b) =>
      b.records > a.records ? 1 : b.records < a.records ? -1 : a.name.localeCompare(b.name),
    )
  return rows.sort((a, b) => a.name.localeCompare(b.name))
}

export function visibleGroups(snapshot: Snapshot, view: ViewState): GroupStat[] {
  const rows = snapshot.groups.filter((group) => group.groupId.includes(view.filter))
  if (view.groupSort === 'lag')
    return rows.sort((a, b) => (b.lag > a.lag ? 1 : b.lag < a.lag ? -1 : a.groupId.localeCompare(b.groupId)))
  return rows.sort((a, b) => a.groupId.localeCompare(b.groupId))
}

/** The screen: header, panel table (selected row marked with '>'), and a key help line. */
export function renderScreen(
  snapshot: Snapshot | null,
  view: ViewState,
  width: number,
  height: number,
): string[] {
  const lines: string[] = []
  if (snapshot === null) return ['streamline top: connecting…']
  const broker = snapshot.broker
  lines.push(
    `streamline top  ${snapshot.at.toISOString()}  connections ${broker.connections ?? '-'}  in-flight ${broker.requestsInFlight ?? '-'}  disk free ${bytes(broker.diskFreeBytes)}`,
  )
  lines.push(
    `[${view.panel === 'topics' ? 'TOPICS' : 'topics'}] [${view.panel === 'groups' ? 'GROUPS' : 'groups'}]  sort: ${view.panel === 'topics' ? view.topicSort : view.groupSort}  filter: ${view.editingFilter !== null ? `${view.editingFilter}_` : view.filter === '' ? '-' : view.filter}`,
  )
  lines.push(snapshot.error === null ? '' : `! ${snapshot.error}`)
  let table: string[]
  let count: number
  if (view.panel === 'topics') {
    const rows = visibleTopics(snapshot, view)
    count = rows.length
    table = formatTable(
      [
        { header: ' ', key: 'mark' },
        { header: 'topic', key: 'name' },
        { header: 'partitions', key: 'partitions', alignRight: true },
        { header: 'records', key: 'records', alignRight: true },
        { header: 'records/s', key: 'rate', alignRight: true },
        { header: 'in/s', key: 'in', alignRight: true },
        { header: 'out/s', key: 'out', alignRight: true },
      ],
      rows.map((row, index) => ({
        mark: index === view.selected ? '>' : ' ',
        name: row.name,
        partitions: row.partitions,
        records: row.records,
        rate: rate(row.recordsPerSecond),
        in: bytes(row.bytesInPerSecond),
        out: bytes(row.bytesOutPerSecond),
      })),
    )
  } else {
    const rows = visibleGroups(snapshot, view)
    count = rows.length
    table = formatTable(
      [
        { header: ' ', key: 'mark' },
        { header: 'group', key: 'groupId' },
        { header: 'state', key: 'state' },
        { header: 'members', key: 'members', alignRight: true },
        { header: 'lag', key: 'lag', alignRight: true },
      ],
      rows.map((row, index) => ({ mark: index === view.selected ? '>' : ' ', ...row })),
    )
  }
  const room = Math.max(1, height - lines.length - 2)
  lines.push(...table.slice(0, room + 1))
  if (count === 0) lines.push('(none)')
  while (lines.length < height - 1) lines.push('')
  lines.push('q quit  Tab topics/groups  s sort  / filter  Esc clear filter  ↑/↓ select')
  return lines.slice(0, height).map((line) => (line.length > width ? line.slice(0, width) : line))
}
