"""One module per ``azr`` command: ``add_parser(subparsers)`` and a handler that returns the exit code."""
