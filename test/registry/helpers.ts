// A small HTTP client for the registry tests: JSON in, status and JSON (or text) out.

export interface Answer {
  status: number
  json: unknown
  text: string
  contentType: string | null
}

export async function call(
  base: string,
  method: string,
  path: string,
  body?: unknown,
  contentType = 'application/vnd.schemaregistry.v1+json',
): Promise<Answer> {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: { 'content-type': contentType },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  })
  const text = await response.text()
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    json = undefined
  }
  return { status: response.status, json, text, contentType: response.headers.get('content-type') }
}

export const avroRecord = (
  name: string,
  fields: { name: string; type: unknown; default?: unknown }[],
): string => JSON.stringify({ type: 'record', name, fields })
