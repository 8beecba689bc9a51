// The SimpleDateFormat patterns TimestampConverter and TimestampRouter use most, in UTC: yyyy, yy, MM,
// dd, HH, mm, ss, SSS, and 'quoted' literal text. Other letters are refused at configure time.

const tokenPattern = /'[^']*'|yyyy|yy|MM|dd|HH|mm|ss|SSS|[A-Za-z]/g

const pad = (value: number, width: number) => String(value).padStart(width, '0')

export function checkFormat(format: string): void {
  for (const token of format.match(tokenPattern) ?? []) {
    if (token.length === 1 && /[A-Za-z]/.test(token))
      throw new Error(`Unsupported date format letter '${token}' in ${format}`)
  }
}

export function formatTime(epochMs: number, format: string): string {
  const date = new Date(epochMs)
  return format.replace(tokenPattern, (token) => {
    switch (token) {
      case 'yyyy':
        return pad(date.getUTCFullYear(), 4)
      case 'yy':
        return pad(date.getUTCFullYear() % 100, 2)
      case 'MM':
        return pad(date.getUTCMonth() + 1, 2)
      case 'dd':
        return pad(date.getUTCDate(), 2)
      case 'HH':
        return pad(date.getUTCHours(), 2)
      case 'mm':
        return pad(date.getUTCMinutes(), 2)
      case 'ss':
        return pad(date.getUTCSeconds(), 2)
      case 'SSS':
        return pad(date.getUTCMilliseconds(), 3)
      default:
        return token.startsWith("'") ? token.slice(1, -1) : token
    }
  })
}

/** Parses text written with `format` (the same tokens) to epoch milliseconds, or throws. */
export function parseTime(text: string, format: string): number {
  const parts: Record<string, number> = { yyyy: 1970, MM: 1, dd: 1, HH: 0, mm: 0, ss: 0, SSS: 0 }
  let regex = '^'
  const order: string[] = []
  for (const token of format.match(/'[^']*'|yyyy|MM|dd|HH|mm|ss|SSS|./g) ?? []) {
    if (token in parts) {
      regex += `(\\d{${token.length}})`
      order.push(token)
    } else
      regex += (token.startsWith("'") ? token.slice(1, -1) : token).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
  }
  const match = new RegExp(`${regex}$`).exec(text)
  if (match === null)
    throw new Error(`Could not parse timestamp: value (${text}) does not match pattern (${format})`)
  order.forEach((token, index) => {
    parts[token] = Number(match[index + 1])
  })
  return Date.UTC(parts.yyyy, parts.MM - 1, parts.dd, parts.HH, parts.mm, parts.ss, parts.SSS)
}
