// Child process of the `embedded` workload: memory of idle embedded instances. Starts one
// startStreamline() with its defaults (in memory, free ports, every listener on), reads RSS after a GC, starts `extra` more, reads again,
// and prints { firstRssBytes, extraRssBytes, extra } as JSON. Run with --expose-gc.
import { type Streamline, startStreamline } from '../../../src/embedded/index.ts'

const extra = Number(process.argv[2] ?? '5')
const gc = (globalThis as { gc?: () => void }).gc
const settle = async (): Promise<number> => {
  await new Promise((resolve) => setTimeout(resolve, 300))
  gc?.()
  await new Promise((resolve) => setTimeout(resolve, 100))
  return process.memoryUsage().rss
}
const started: Streamline[] = [await startStreamline()]
const firstRssBytes = await settle()
for (let index = 0; index < extra; index += 1) started.push(await startStreamline())
const allRssBytes = await settle()
process.stdout.write(
  `${JSON.stringify({ firstRssBytes, extraRssBytes: allRssBytes - firstRssBytes, extra })}\n`,
)
for (const streamline of started) await streamline.close()
