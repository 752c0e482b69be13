"""One module per `keyprobe` subcommand. Each defines `HELP` (its line in `keyprobe --help`) and
`register(subparsers)`, which adds its parser and sets `func` to a `run(args) -> int`. Modules import
their heavy dependencies inside run(): the parsers are built on every start, the commands run one at a time."""
