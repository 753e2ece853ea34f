"""``python -m silta``: the same as the ``silta`` command."""

from silta.cli import main

main()
