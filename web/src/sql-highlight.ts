// SQL syntax highlighting for the workbench's editor, without an editor library: the query split into
// tokens (keywords, functions, strings, quoted identifiers, numbers, comments, operators), each shown as
// a span behind a transparent textarea. Loaded on the SQL page's first render (a chunk of its own).

export type TokenKind =
  | 'keyword'
  | 'function'
  | 'string'
  | 'identifier'
  | 'number'
  | 'comment'
  | 'operator'
  | 'text'

export interface Token {
  kind: TokenKind
  text: string
}

/** DuckDB's common keywords (a word outside this set is a name). */
const keywords = new Set(
  `select from where group by order having limit offset as and or not in is null like ilike between case when then
  else end join left right inner outer full cross on using union all distinct insert into values create table view
  with asc desc true false cast interval exists over partition window filter qualify delete update set drop
  describe show explain`
    .split(/\s+/)
    .filter((word) => word !== ''),
)

/** Longest first: a comment, a string, a quoted identifier, a number, a word, an operator, anything else. */
const tokenPattern =
  /(--[^\n]*|\/\*[\s\S]*?(?:\*\/|$))|('(?:[^']|'')*(?:'|$))|("(?:[^"]|"")*(?:"|$))|(\b\d+(?:\.\d+)?(?:e[+-]?\d+)?\b)|([A-Za-z_][A-Za-z0-9_]*)|([-+*/%<>=!|:,;.()[\]]+)|(\s+|.)/gy

export function tokenizeSql(sql: string): Token[] {
  const tokens: Token[] = []
  tokenPattern.lastIndex = 0
  for (let match = tokenPattern.exec(sql); match !== null; match = tokenPattern.exec(sql)) {
    const [text, comment, string, quoted, number, word, operator] = match
    let kind: TokenKind = 'text'
    if (comment !== undefined) kind = 'comment'
    else if (string !== undefined) kind = 'string'
    else if (quoted !== undefined) kind = 'identifier'
    else if (number !== undefined) kind = 'number'
    else if (word !== undefined) {
      if (keywords.has(word.toLowerCase())) kind = 'keyword'
      else if (/^\s*\(/.test(sql.slice(tokenPattern.lastIndex))) kind = 'function'
    } else if (operator !== undefined) kind = 'operator'
    const last = tokens[tokens.length - 1]
    if (kind === 'text' && last?.kind === 'text') last.text += text
    else tokens.push({ kind, text })
    if (text === '') break
  }
  return tokens
}
