// One topic: tabs for partitions (offsets, sizes; add partitions, delete records before an offset),
// configs (non-defaults marked, edit) and messages; delete the topic after typing its name.

import { useState } from 'preact/hooks'
import { api, type TopicDetail } from '../api.ts'
import { Dialog } from '../components/dialog.tsx'
import { ErrorBox, Loading, Notice } from '../components/feedback.tsx'
import { formatBytes, formatNumber } from '../format.ts'
import { useLoad } from '../hooks.ts'
import { Link, type Location, navigate } from '../router.tsx'
import { MessagesView } from './messages.tsx'
import { TopicConfigs } from './topic-configs.tsx'

export function TopicDetailPage(props: { name: string; tab: string; location: Location }) {
  const topic = useLoad(() => api.topic(props.name), [props.name])
  const base = `/topics/${encodeURIComponent(props.name)}`
  const tabs = [
    { id: 'partitions', href: base, label: 'Partitions' },
    { id: 'configs', href: `${base}/configs`, label: 'Configs' },
    { id: 'messages', href: `${base}/messages`, label: 'Messages' },
  ]
  return (
    <>
      <p class="crumbs">
        <Link href="/topics">Topics</Link> /
      </p>
      <div class="page-head">
        <h1>{props.name}</h1>
        <DeleteTopic name={props.name} />
      </div>
      <nav class="tabs" aria-label="Topic views">
        {tabs.map((tab) => (
          <Link key={tab.id} href={tab.href} aria-current={props.tab === tab.id ? 'page' : undefined}>
            {tab.label}
          </Link>
        ))}
      </nav>
      <ErrorBox error={topic.error} />
      <Loading loading={topic.loading && topic.data === null} />
      {topic.data === null ? null : props.tab === 'configs' ? (
        <TopicConfigs topic={topic.data} onChanged={topic.reload} />
      ) : props.tab === 'messages' ? (
        <MessagesView topic={topic.data} location={props.location} />
      ) : (
        <Partitions topic={topic.data} onChanged={topic.reload} />
      )}
    </>
  )
}

function Partitions(props: { topic: TopicDetail; onChanged: () => void }) {
  const { topic } = props
  const [count, setCount] = useState(topic.partitions + 1)
  const [target, setTarget] = useState({ partition: 0, offset: 0 })
  const [error, setError] = useState<Error | null>(null)
  const [notice, setNotice] = useState<string | null>(null)
  const act = (action: Promise<unknown>, done: string) => {
    setError(null)
    action.then(
      () => {
        setNotice(done)
        props.onChanged()
      },
      (failure: unknown) => setError(failure as Error),
    )
  }
  return (
    <>
      <table>
        <caption>Partitions of {topic.name}</caption>
        <thead>
          <tr>
            <th scope="col">Partition</th>
            <th scope="col">Leader</th>
            <th scope="col">Log start offset</th>
            <th scope="col">High watermark</th>
            <th scope="col">Messages</th>
            <th scope="col">Size</th>
          </tr>
        </thead>
        <tbody>
          {topic.partitionDetails.map((partition) => (
            <tr key={partition.partition}>
              <td class="number">{partition.partition}</td>
              <td class="number">{partition.leader}</td>
              <td class="number">{formatNumber(partition.logStartOffset)}</td>
              <td class="number">{formatNumber(partition.highWatermark)}</td>
              <td class="number">{formatNumber(partition.highWatermark - partition.logStartOffset)}</td>
              <td class="number">{formatBytes(partition.sizeBytes)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <form
        class="panel row"
        aria-label="Add partitions"
        onSubmit={(event) => {
          event.preventDefault()
          act(api.addPartitions(topic.name, count), `${topic.name} has ${count} partitions`)
        }}
      >
        <label>
          New partition count{' '}
          <input
            type="number"
            min={topic.partitions + 1}
            value={count}
            onInput={(event) => setCount(Number(event.currentTarget.value))}
          />
        </label>
        <button type="submit">Add partitions</button>
      </form>
      <form
        class="panel row"
        aria-label="Delete records"
        onSubmit={(event) => {
          event.preventDefault()
          act(
            api.deleteRecords(topic.name, target.partition, target.offset),
            `records of partition ${target.partition} before offset ${target.offset} deleted`,
          )
        }}
      >
        <label>
          Partition{' '}
          <input
            type="number"
            min={0}
            max={topic.partitions - 1}
            value={target.partition}
            onInput={(event) => setTarget({ ...target, partition: Number(event.currentTarget.value) })}
          />
        </label>
        <label>
          Delete records before offset{' '}
          <input
            type="number"
            min={0}
            value={target.offset}
            onInput={(event) => setTarget({ ...target, offset: Number(event.currentTarget.value) })}
          />
        </label>
        <button type="submit" class="danger">
          Delete records
        </button>
      </form>
      <ErrorBox error={error} />
      <Notice text={notice} />
    </>
  )
}

function DeleteTopic(props: { name: string }) {
  const [open, setOpen] = useState(false)
  const [typed, setTyped] = useState('')
  const [error, setError] = useState<Error | null>(null)
  return (
    <>
      <button type="button" class="danger" onClick={() => setOpen(true)}>
        Delete topic
      </button>
      <Dialog open={open} title={`Delete topic ${props.name}`} onClose={() => setOpen(false)}>
        <form
          onSubmit={(event) => {
            event.preventDefault()
            api.deleteTopic(props.name).then(
              () => navigate('/topics'),
              (failure: unknown) => setError(failure as Error),
            )
          }}
        >
          <p>This deletes every record of the topic. Type its name to confirm.</p>
          <label>
            Topic name{' '}
            <input value={typed} onInput={(event) => setTyped(event.currentTarget.value)} autoFocus />
          </label>
          <div class="row">
            <button type="button" onClick={() => setOpen(false)}>
              Cancel
            </button>
            <button type="submit" class="danger" disabled={typed !== props.name}>
              Delete
            </button>
          </div>
          <ErrorBox error={error} />
        </form>
      </Dialog>
    </>
  )
}
