// A time-series chart on uPlot (about 20 KB gzipped): x is seconds since the epoch, one line per series.

import { useEffect, useRef } from 'preact/hooks'
import uPlot from 'uplot'
import 'uplot/dist/uPlot.min.css'

export interface ChartSeries {
  label: string
  color: string
  values: number[]
}

export function TimeChart(props: { title: string; times: number[]; series: ChartSeries[]; unit: string }) {
  const container = useRef<HTMLDivElement>(null)
  const plot = useRef<uPlot | null>(null)
  const seriesKey = props.series.map((series) => series.label).join('|')
  useEffect(() => {
    const element = container.current
    if (element === null) return undefined
    const options: uPlot.Options = {
      width: Math.max(element.clientWidth, 280),
      height: 180,
      legend: { show: true },
      axes: [
        { stroke: 'currentColor', grid: { stroke: 'rgba(128,128,128,0.2)' } },
        {
          stroke: 'currentColor',
          grid: { stroke: 'rgba(128,128,128,0.2)' },
          values: (_, ticks) => ticks.map((tick) => `${compact(tick)}${props.unit}`),
          size: 70,
        },
      ],
      series: [
        {},
        ...props.series.map((series) => ({ label: series.label, stroke: series.color, width: 2 })),
      ],
    }
    plot.current = new uPlot(options, [props.times, ...props.series.map((series) => series.values)], element)
    const resize = () => plot.current?.setSize({ width: Math.max(element.clientWidth, 280), height: 180 })
    window.addEventListener('resize', resize)
    return () => {
      window.removeEventListener('resize', resize)
      plot.current?.destroy()
      plot.current = null
    }
  }, [seriesKey])
  useEffect(() => {
    plot.current?.setData([props.times, ...props.series.map((series) => series.values)])
  }, [props.times, props.series])
  return (
    <figure class="chart">
      <figcaption>{props.title}</figcaption>
      <div ref={container} role="img" aria-label={`${props.title} chart`} />
    </figure>
  )
}

function compact(value: number): string {
  if (Math.abs(value) >= 1e9) return `${(value / 1e9).toFixed(1)}G`
  if (Math.abs(value) >= 1e6) return `${(value / 1e6).toFixed(1)}M`
  if (Math.abs(value) >= 1e3) return `${(value / 1e3).toFixed(1)}k`
  return String(Math.round(value * 100) / 100)
}
