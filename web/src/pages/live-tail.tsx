// Live tail: new messages of the topic as they are appended, over the broker's WebSocket. Keeps the
// newest tailKeptMax messages; decoded through the schema registry when the browser decodes.

import { useEffect, useState } from 'preact/hooks'
import type { Message } from '../api.ts'
import type { ViewMode } from '../messages-logic.ts'
import { MessageTable } from './messages.tsx'

const tailKeptMax = 200

export function LiveTail(props: { topic: string; partition: string; view: ViewMode; decode: boolean }) {
  const [messages, setMessages] = useState<Message[]>([])
  const [status, setStatus] = useState('connecting')
  useEffect(() => {
    const scheme = window.location.protocol === 'https:' ? 'wss' : 'ws'
    const partition = props.partition === 'all' ? '' : `&partition=${props.partition}`
    const encoding = props.view === 'hex' ? 'base64' : 'auto'
    const decode = props.decode && props.view !== 'hex' ? '&decode=registry' : ''
    const socket = new WebSocket(
      `${scheme}://${window.location.host}/api/v1/topics/${encodeURIComponent(props.topic)}/tail?from=latest&encoding=${encoding}${partition}${decode}`,
    )
    socket.onopen = () => setStatus('live')
    socket.onclose = () => setStatus('closed')
    socket.onmessage = (event: MessageEvent<string>) => {
      const message = JSON.parse(event.data) as Message & { error?: { message: string } }
      if (message.error !== undefined) {
        setStatus(message.error.message)
        return
      }
      setMessages((previous) => [message, ...previous].slice(0, tailKeptMax))
    }
    return () => socket.close()
  }, [props.topic, props.partition, props.view, props.decode])
  return (
    <section class="panel" aria-label="Live tail">
      <p role="status">
        Live tail: <strong>{status}</strong> ({messages.length} new)
      </p>
      <MessageTable messages={messages} view={props.view} caption="New messages" />
    </section>
  )
}
