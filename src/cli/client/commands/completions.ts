// `completions bash|zsh|fish`: a completion script derived from the command tree (the same option
// declarations as --help): commands, subcommands and options per command.
//   bash: source <(streamline-cli completions bash)
//   zsh:  source <(streamline-cli completions zsh)
//   fish: streamline-cli completions fish > ~/.config/fish/completions/streamline-cli.fish
import { Command } from 'commander'
import { type CliContext, type RegisterCommands, runCommand } from '../context.ts'
import { UsageError } from '../errors.ts'

interface Node {
  path: string[]
  subcommands: string[]
  options: string[]
}

function walk(command: Command, path: string[], out: Node[]): void {
  out.push({
    path,
    subcommands: command.commands.map((child) => child.name()).filter((name) => name !== 'help'),
    options: command.options
      .flatMap((option) => [option.long ?? '', option.short ?? ''])
      .filter((flag) => flag !== ''),
  })
  for (const child of command.commands) if (child.name() !== 'help') walk(child, [...path, child.name()], out)
}

function bash(nodes: Node[], globals: string[]): string {
  const cases = nodes
    .map(
      (node) =>
        `    "${node.path.join(' ')}") words="${[...node.subcommands, ...node.options, ...globals].join(' ')}" ;;`,
    )
    .join('\n')
  return `# streamline-cli bash completion (streamline-cli completions bash)
_streamline_cli() {
  local cur path word words
  cur="\${COMP_WORDS[COMP_CWORD]}"
  path=""
  for word in "\${COMP_WORDS[@]:1:COMP_CWORD-1}"; do
    case "$word" in -*) ;; *) if [ -z "$path" ]; then candidate="$word"; else candidate="$path $word"; fi
      case " \${_streamline_cli_paths} " in *"|$candidate|"*) path="$candidate" ;; esac ;; esac
  done
  case "$path" in
${cases}
  esac
  COMPREPLY=( $(compgen -W "$words" -- "$cur") )
}
_streamline_cli_paths="${nodes.map((node) => `|${node.path.join(' ')}|`).join(' ')}"
complete -F _streamline_cli streamline-cli
`
}

function zsh(nodes: Node[], globals: string[]): string {
  return `#compdef streamline-cli
# streamline-cli zsh completion (streamline-cli completions zsh)
autoload -U +X bashcompinit && bashcompinit
${bash(nodes, globals)}`
}

function fish(nodes: Node[]): string {
  const lines = [
    '# streamline-cli fish completion (streamline-cli completions fish)',
    'complete -c streamline-cli -f',
  ]
  for (const node of nodes) {
    const condition =
      node.path.length === 0
        ? '__fish_use_subcommand'
        : `__fish_seen_subcommand_from ${node.path[node.path.length - 1]}`
    for (const sub of node.subcommands) lines.push(`complete -c streamline-cli -n '${condition}' -a '${sub}'`)
    for (const option of node.options.filter((flag) => flag.startsWith('--'))) {
      lines.push(`complete -c streamline-cli -n '${condition}' -l '${option.slice(2)}'`)
    }
  }
  return `${lines.join('\n')}\n`
}

async function completions(context: CliContext, command: Command): Promise<void> {
  const [shell] = command.args
  let root: Command = command
  while (root.parent !== null) root = root.parent
  const nodes: Node[] = []
  walk(root, [], nodes)
  const globals = nodes[0].options
  if (shell === 'bash')
    context.output.write(
      bash(nodes.slice(1), globals).replace(
        '  case "$path" in\n',
        `  case "$path" in\n    "") words="${[...nodes[0].subcommands, ...globals].join(' ')}" ;;\n`,
      ),
    )
  else if (shell === 'zsh')
    context.output.write(
      zsh(nodes.slice(1), globals).replace(
        '  case "$path" in\n',
        `  case "$path" in\n    "") words="${[...nodes[0].subcommands, ...globals].join(' ')}" ;;\n`,
      ),
    )
  else if (shell === 'fish') context.output.write(fish(nodes))
  else throw new UsageError(`completions: '${shell}' is not one of bash, zsh, fish`)
}

export const registerCompletions: RegisterCommands = (program, io) => {
  program.addCommand(
    new Command('completions')
      .description('print a completion script: bash, zsh or fish')
      .argument('<shell>', 'bash, zsh or fish')
      .addHelpText('after', '\nExample: source <(streamline-cli completions bash)')
      .action(runCommand(io, completions)),
  )
}
