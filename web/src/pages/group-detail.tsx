// One consumer group: members and their assignments, committed offset and lag per partition; reset
// offsets (earliest / latest / offset / timestamp) with a preview, offered only when the group is
// empty (the broker refuses otherwise); delete the group.

import { useState } from 'preact/hooks'
import { api, type GroupDetail, type ResetResult } from '../api.ts'
import { ErrorBox, Loading, Notice } from '../components/feedback.tsx'
import { formatNumber } from '../format.ts'
import { useLoad } from '../hooks.ts'
import { Link, navigate } from '../router.tsx'
import { GroupLagChart } from './group-lag-chart.tsx'

export function GroupDetailPage(props: { id: string }) {
  const group = useLoad(() => api.group(props.id), [props.id], 2000)
  const detail = group.data
  return (
    <>
      <p class="crumbs">
        <Link href="/groups">Consumer groups</Link> /
      </p>
      <h1>{props.id}</h1>
      <ErrorBox error={group.error} />
      <Loading loading={group.loading && detail === null} />
      {detail === null ? null : (
        <>
          <p>
            State: <strong data-testid="group-state">{detail.state}</strong> · protocol{' '}
            {detail.protocol || '–'}
          </p>
          <h2>Members</h2>
          {detail.members.length === 0 ? (
            <p class="muted">No active members.</p>
          ) : (
            <table>
              <thead>
                <tr>
                  <th scope="col">Member</th>
                  <th scope="col">Client</th>
                  <th scope="col">Host</th>
                  <th scope="col">Assignment</th>
                </tr>
              </thead>
              <tbody>
                {detail.members.map((member) => (
                  <tr key={member.memberId}>
                    <td>{member.memberId}</td>
                    <td>{member.clientId}</td>
                    <td>{member.clientHost}</td>
                    <td>
                      {member.assignment
                        .map((item) => `${item.topic} [${item.partitions.join(', ')}]`)
                        .join('; ')}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          <h2>Offsets and lag</h2>
          <table>
            <thead>
              <tr>
                <th scope="col">Topic</th>
                <th scope="col">Partition</th>
                <th scope="col">Committed offset</th>
                <th scope="col">Log end offset</th>
                <th scope="col">Lag</th>
              </tr>
            </thead>
            <tbody>
              {detail.offsets.map((offset) => (
                <tr key={`${offset.topic}:${offset.partition}`}>
                  <td>
                    <Link href={`/topics/${encodeURIComponent(offset.topic)}`}>{offset.topic}</Link>
                  </td>
                  <td class="number">{offset.partition}</td>
                  <td class="number">{formatNumber(offset.committedOffset)}</td>
                  <td class="number">{formatNumber(offset.logEndOffset)}</td>
                  <td class="number">{formatNumber(offset.lag)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <GroupLagChart group={detail} />
          {detail.members.length === 0 ? (
            <ResetOffsets group={detail} onDone={group.reload} />
          ) : (
            <p class="muted">Offsets can be reset when the group has no active members.</p>
          )}
          <DeleteGroup group={detail} />
        </>
      )}
    </>
  )
}

function ResetOffsets(props: { group: GroupDetail; onDone: () => void }) {
  const topics = [...new Set(props.group.offsets.map((offset) => offset.topic))]
  const [form, setForm] = useState({
    topic: topics[0] ?? '',
    to: 'earliest',
    offset: '0',
    timestamp: '',
    shift: '-1',
  })
  const [preview, setPreview] = useState<ResetResult | null>(null)
  const [error, setError] = useState<Error | null>(null)
  const [notice, setNotice] = useState<string | null>(null)
  const request = (dryRun: boolean) => ({
    topic: form.topic,
    to: form.to,
    ...(form.to === 'offset' ? { offset: Number(form.offset) } : {}),
    ...(form.to === 'timestamp' ? { timestamp: Date.parse(form.timestamp) } : {}),
    ...(form.to === 'shift' ? { shift: Number(form.shift) } : {}),
    dryRun,
  })
  const run = (dryRun: boolean) => {
    setError(null)
    api.resetOffsets(props.group.groupId, request(dryRun)).then(
      (result) => {
        setPreview(result)
        if (!dryRun) {
          setNotice('Offsets reset')
          props.onDone()
        }
      },
      (failure: unknown) => setError(failure as Error),
    )
  }
  return (
    <section class="panel" aria-label="Reset offsets">
      <h2>Reset offsets</h2>
      <div class="row">
        <label>
          Topic{' '}
          <input
            list="group-topics"
            value={form.topic}
            onInput={(event) => setForm({ ...form, topic: event.currentTarget.value })}
          />
          <datalist id="group-topics">
            {topics.map((topic) => (
              <option key={topic} value={topic} />
            ))}
          </datalist>
        </label>
        <label>
          Reset to{' '}
          <select value={form.to} onChange={(event) => setForm({ ...form, to: event.currentTarget.value })}>
            <option value="earliest">earliest</option>
            <option value="latest">latest</option>
            <option value="offset">offset</option>
            <option value="timestamp">timestamp</option>
            <option value="shift">shift by</option>
          </select>
        </label>
        {form.to === 'offset' ? (
          <label>
            Offset{' '}
            <input
              type="number"
              min={0}
              value={form.offset}
              onInput={(event) => setForm({ ...form, offset: event.currentTarget.value })}
            />
          </label>
        ) : null}
        {form.to === 'shift' ? (
          <label>
            Shift by{' '}
            <input
              type="number"
              value={form.shift}
              onInput={(event) => setForm({ ...form, shift: event.currentTarget.value })}
            />
          </label>
        ) : null}
        {form.to === 'timestamp' ? (
          <label>
            Timestamp{' '}
            <input
              type="datetime-local"
              step={1}
              value={form.timestamp}
              onInput={(event) => setForm({ ...form, timestamp: event.currentTarget.value })}
            />
          </label>
        ) : null}
        <button type="button" onClick={() => run(true)}>
          Preview
        </button>
        <button
          type="button"
          class="primary"
          disabled={preview === null || !preview.dryRun}
          onClick={() => run(false)}
        >
          Apply reset
        </button>
      </div>
      {preview === null ? null : (
        <table>
          <caption>{preview.dryRun ? 'Preview (nothing changed yet)' : 'Applied'}</caption>
          <thead>
            <tr>
              <th scope="col">Partition</th>
              <th scope="col">Current offset</th>
              <th scope="col">New offset</th>
            </tr>
          </thead>
          <tbody>
            {preview.partitions.map((partition) => (
              <tr key={`${partition.topic}:${partition.partition}`}>
                <td class="number">{partition.partition}</td>
                <td class="number">{partition.previousOffset ?? '–'}</td>
                <td class="number">{partition.newOffset}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <ErrorBox error={error} />
      <Notice text={notice} />
    </section>
  )
}

function DeleteGroup(props: { group: GroupDetail }) {
  const [error, setError] = useState<Error | null>(null)
  return (
    <section class="panel" aria-label="Delete group">
      <button
        type="button"
        class="danger"
        onClick={() => {
          if (!window.confirm(`Delete group ${props.group.groupId} and its committed offsets?`)) return
          api.deleteGroup(props.group.groupId).then(
            () => navigate('/groups'),
            (failure: unknown) => setError(failure as Error),
          )
        }}
      >
        Delete group
      </button>
      <ErrorBox error={error} />
    </section>
  )
}
