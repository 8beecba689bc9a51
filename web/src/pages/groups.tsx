// Consumer groups: every group with its state and total lag (lag comes from each group's detail,
// fetched for the groups on the page).

import { api } from '../api.ts'
import { ErrorBox, Loading } from '../components/feedback.tsx'
import { formatNumber } from '../format.ts'
import { useLoad } from '../hooks.ts'
import { Link } from '../router.tsx'

export function GroupsPage() {
  const groups = useLoad(
    async () => {
      const { groups: list } = await api.groups()
      const details = await Promise.all(
        list.slice(0, 200).map((group) => api.group(group.groupId).catch(() => null)),
      )
      return list.map((group, index) => ({
        ...group,
        members: details[index]?.members.length ?? null,
        lag: details[index]?.offsets.reduce((sum, offset) => sum + Math.max(offset.lag, 0), 0) ?? null,
      }))
    },
    [],
    5000,
  )
  return (
    <>
      <h1>Consumer groups</h1>
      <ErrorBox error={groups.error} />
      <Loading loading={groups.loading && groups.data === null} />
      {groups.data?.length === 0 ? <p class="muted">No consumer groups.</p> : null}
      <table>
        <thead>
          <tr>
            <th scope="col">Group</th>
            <th scope="col">State</th>
            <th scope="col">Members</th>
            <th scope="col">Total lag</th>
          </tr>
        </thead>
        <tbody>
          {(groups.data ?? []).map((group) => (
            <tr key={group.groupId}>
              <td>
                <Link href={`/groups/${encodeURIComponent(group.groupId)}`}>{group.groupId}</Link>
              </td>
              <td>{group.state}</td>
              <td class="number">{group.members ?? '–'}</td>
              <td class="number">{group.lag === null ? '–' : formatNumber(group.lag)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  )
}
