import { Argument, Command } from 'commander';

/** A command path (`users suspend`) with its subcommands and long options. */
interface Entry {
  path: string[];
  subcommands: string[];
  options: string[];
}

/** Every command of the tree, read from commander itself so completion never drifts from the CLI. */
function entriesOf(command: Command, path: string[] = []): Entry[] {
  const visible = command.commands.filter((sub) => sub.name() !== 'help');
  const options = command.options.flatMap((option) => (option.long ? [option.long] : []));
  return [
    { path, subcommands: visible.map((sub) => sub.name()), options: [...options, '--help'] },
    ...visible.flatMap((sub) => entriesOf(sub, [...path, sub.name()])),
  ];
}

function bashScript(entries: Entry[]): string {
  const cases = entries
    .map(
      (entry) =>
        `    "${entry.path.join(' ')}") words="${[...entry.subcommands, ...entry.options].join(' ')}" ;;`,
    )
    .join('\n');
  return `# aibridge completion for bash: eval "$(aibridge completion bash)"
_aibridge() {
  local current="\${COMP_WORDS[COMP_CWORD]}" path="" word words
  local -a known=(${entries.map((entry) => `"${entry.path.join(' ')}"`).join(' ')})
  for word in "\${COMP_WORDS[@]:1:COMP_CWORD-1}"; do
    [[ "$word" == -* ]] && continue
    local candidate="\${path:+$path }$word"
    local entry
    for entry in "\${known[@]}"; do [[ "$entry" == "$candidate" ]] && path="$candidate" && break; done
  done
  case "$path" in
${cases}
    *) words="" ;;
  esac
  COMPREPLY=($(compgen -W "$words" -- "$current"))
}
complete -o default -F _aibridge aibridge
`;
}

function zshScript(entries: Entry[]): string {
  return `# aibridge completion for zsh: eval "$(aibridge completion zsh)"
autoload -U +X bashcompinit && bashcompinit
${bashScript(entries).split('\n').slice(1).join('\n')}`;
}

function fishScript(entries: Entry[]): string {
  const lines = [
    '# aibridge completion for fish: aibridge completion fish | source',
    'complete -c aibridge -f',
  ];
  for (const entry of entries) {
    const condition =
      entry.path.length === 0 ? '__fish_use_subcommand' : `__fish_seen_subcommand_from ${entry.path.at(-1)}`;
    for (const sub of entry.subcommands) lines.push(`complete -c aibridge -n '${condition}' -a ${sub}`);
    for (const option of entry.options) {
      lines.push(`complete -c aibridge -n '${condition}' -l ${option.replace(/^--/, '')}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

const generators = { bash: bashScript, zsh: zshScript, fish: fishScript } as const;

/** `aibridge completion bash|zsh|fish`: prints a completion script for the shell. */
export function completionCommand(program: Command): Command {
  return new Command('completion')
    .description('print a shell completion script (bash, zsh or fish)')
    .addArgument(new Argument('<shell>', 'the shell').choices(Object.keys(generators)))
    .action((shell: keyof typeof generators) => {
      process.stdout.write(generators[shell](entriesOf(program)));
    });
}
