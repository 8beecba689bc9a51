// Goal: the Grafana dashboard and the Prometheus alert rules use only documented metrics, and every
// documented streamline_* metric is really exposed by a running broker.
// Method: metric names are taken from the dashboard's expressions (JSON) and the rules file (text),
// compared with the names in docs/metrics.md and with the families a fresh embedded broker exposes.

import assert from 'node:assert/strict'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { test } from 'node:test'
import { startStreamline } from '../../src/embedded/index.ts'
import { repositoryRoot } from '../helpers/broker-process.ts'
import { scrape } from './prometheus-text.ts'

const metricName = /\b((?:streamline|process|nodejs)_[a-z0-9_]+)/g

function baseName(name: string): string {
  return name.replace(/_(bucket|count|sum)$/, '')
}

async function documented(): Promise<Set<string>> {
  const text = await readFile(join(repositoryRoot, 'docs/metrics.md'), 'utf8')
  return new Set([...text.matchAll(metricName)].map((match) => match[1]))
}

test('dashboard and alert rules use documented metrics only', async () => {
  const names = await documented()
  const dashboard = JSON.parse(
    await readFile(join(repositoryRoot, 'deploy/grafana/streamline.json'), 'utf8'),
  ) as {
    panels: Array<{ targets: Array<{ expr: string }> }>
  }
  const rules = await readFile(join(repositoryRoot, 'deploy/prometheus/alerts.yml'), 'utf8')
  const used = [
    ...dashboard.panels.flatMap((panel) => panel.targets.map((target) => target.expr)),
    ...rules.split('\n').filter((line) => line.includes('expr') || /^\s{10}/.test(line)),
  ].flatMap((expression) => [...expression.matchAll(metricName)].map((match) => baseName(match[1])))
  assert.ok(used.length > 20)
  assert.deepEqual(
    used.filter((name) => !names.has(name)),
    [],
  )
  for (const alert of [
    'StreamlineDown',
    'StreamlineDiskNearlyFull',
    'StreamlineConsumerLagGrowing',
    'StreamlineProduceErrorRate',
  ]) {
    assert.ok(rules.includes(`alert: ${alert}`), alert)
  }
})

test('every documented streamline_* metric is exposed', async () => {
  const streamline = await startStreamline()
  try {
    const exposition = await scrape(streamline.httpUrl ?? '')
    const families = new Set(exposition.types.keys())
    const missing = [...(await documented())]
      .filter((name) => name.startsWith('streamline_'))
      .filter((name) => !families.has(name))
    assert.deepEqual(missing, [])
  } finally {
    await streamline.close()
  }
})
