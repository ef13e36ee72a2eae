"""One module per `paintrack` sub-command, each with `add_arguments(parser)` and `run(args) -> int`.

cli.py imports a command's module only when that command runs, so `paintrack import` never pays
for (or imports) the window, matplotlib or the PDF code.
"""
