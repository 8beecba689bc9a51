// `produce --template`: a text with placeholders, compiled once and rendered per record.
//   {{uuid}}              a random UUID v4
//   {{timestamp}}         milliseconds since the epoch
//   {{i}}                 the record's 0-based index
//   {{random:min:max}}    an integer in [min, max]
//   {{now:<format>}}      the local time in strftime format (%Y %m %d %H %M %S %L %j %y %b %a %s %z %%)
// An unknown placeholder is a usage error, found at compile time.
import { randomInt, randomUUID } from 'node:crypto'
import { UsageError } from '../errors.ts'

type Part = string | ((index: number, now: Date) => string)
export type Template = (index: number) => string

const monthNames = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']
const dayNames = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat']

function pad(value: number, width = 2): string {
  return String(value).padStart(width, '0')
}

function utcOffset(date: Date): string {
  const minutes = -date.getTimezoneOffset()
  const sign = minutes >= 0 ? '+' : '-'
  return `${sign}${pad(Math.floor(Math.abs(minutes) / 60))}${pad(Math.abs(minutes) % 60)}`
}

export function strftime(format: string, date: Date): string {
  return format.replace(/%([a-zA-Z%])/g, (whole, letter: string) => {
    switch (letter) {
      case 'Y':
        return String(date.getFullYear())
      case 'y':
        return pad(date.getFullYear() % 100)
      case 'm':
        return pad(date.getMonth() + 1)
      case 'd':
        return pad(date.getDate())
      case 'H':
        return pad(date.getHours())
      case 'M':
        return pad(date.getMinutes())
      case 'S':
        return pad(date.getSeconds())
      case 'L':
        return pad(date.getMilliseconds(), 3)
      case 'j': {
        const start = new Date(date.getFullYear(), 0, 1)
        return pad(Math.floor((date.getTime() - start.getTime()) / 86_400_000) + 1, 3)
      }
      case 'b':
        return monthNames[date.getMonth()]
      case 'a':
        return dayNames[date.getDay()]
      case 's':
        return String(Math.floor(date.getTime() / 1000))
      case 'z':
        return utcOffset(date)
      case '%':
        return '%'
      default:
        return whole
    }
  })
}

function placeholder(body: string): Part {
  if (body === 'uuid') return () => randomUUID()
  if (body === 'timestamp') return (_index, now) => String(now.getTime())
  if (body === 'i') return (index) => String(index)
  if (body.startsWith('now:')) {
    const format = body.slice(4)
    return (_index, now) => strftime(format, now)
  }
  const random = /^random:(-?\d+):(-?\d+)$/.exec(body)
  if (random !== null) {
    const min = Number(random[1])
    const max = Number(random[2])
    if (min > max) throw new UsageError(`--template: {{${body}}} has min > max`)
    return () => String(randomInt(min, max + 1))
  }
  throw new UsageError(
    `--template: unknown placeholder {{${body}}} (known: uuid, timestamp, i, random:min:max, now:<format>)`,
  )
}

export function compileTemplate(text: string): Template {
  const parts: Part[] = []
  let rest = text
  for (let open = rest.indexOf('{{'); open !== -1; open = rest.indexOf('{{')) {
    const close = rest.indexOf('}}', open + 2)
    if (close === -1) break
    if (open > 0) parts.push(rest.slice(0, open))
    parts.push(placeholder(rest.slice(open + 2, close)))
    rest = rest.slice(close + 2)
  }
  if (rest !== '') parts.push(rest)
  return (index) => {
    const now = new Date()
    let out = ''
    for (const part of parts) out += typeof part === 'string' ? part : part(index, now)
    return out
  }
}
