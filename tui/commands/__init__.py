"""One module per `keyprobe` subcommand. Each defines `register(subparsers)`, which adds its parser
and sets `func` to a `run(args) -> int`. Modules import their heavy dependencies inside run()."""
