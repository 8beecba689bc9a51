// A consumer group's lag over time: the group page samples the total lag (and each topic's) every time it
// refreshes the group (every 2 s) and charts the last 6 minutes of samples, kept in the page. A summary
// line states the numbers the chart shows (for screen readers and tests).

import { useEffect, useState } from 'preact/hooks'
import type { GroupDetail } from '../api.ts'
import { TimeChart } from '../components/chart.tsx'
import { formatNumber } from '../format.ts'

/** Samples kept: 6 minutes at one sample per 2 s refresh. */
const samplesMax = 180
const colors = ['#2f80ed', '#27ae60', '#eb5757', '#9b51e0', '#f2994a', '#56ccf2']

interface LagSample {
  time: number
  total: number
  byTopic: Map<string, number>
}

function sampleOf(group: GroupDetail): LagSample {
  const byTopic = new Map<string, number>()
  for (const offset of group.offsets) byTopic.set(offset.topic, (byTopic.get(offset.topic) ?? 0) + offset.lag)
  return { time: Date.now() / 1000, total: [...byTopic.values()].reduce((sum, lag) => sum + lag, 0), byTopic }
}

export function GroupLagChart(props: { group: GroupDetail }) {
  const [samples, setSamples] = useState<LagSample[]>([])
  useEffect(() => {
    setSamples((previous) => [...previous, sampleOf(props.group)].slice(-samplesMax))
  }, [props.group])
  const topics = [...new Set(samples.flatMap((sample) => [...sample.byTopic.keys()]))]
    .sort()
    .slice(0, colors.length)
  const highest = samples.reduce((most, sample) => Math.max(most, sample.total), 0)
  const now = samples[samples.length - 1]?.total ?? 0
  return (
    <section aria-label="Lag over time">
      <TimeChart
        title="Lag over time (records)"
        unit=""
        times={samples.map((sample) => sample.time)}
        series={[
          { label: 'total', color: '#333333', values: samples.map((sample) => sample.total) },
          ...(topics.length > 1
            ? topics.map((topic, index) => ({
                label: topic,
                color: colors[index],
                values: samples.map((sample) => sample.byTopic.get(topic) ?? 0),
              }))
            : []),
        ]}
      />
      <p class="muted" data-testid="lag-summary">
        Lag now {formatNumber(now)}, highest {formatNumber(highest)} over {samples.length} samples
      </p>
    </section>
  )
}
