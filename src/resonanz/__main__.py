"""Run the CLI with ``python -m resonanz``."""

from resonanz.cli import main

main()
