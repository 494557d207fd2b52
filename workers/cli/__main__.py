"""``python -m workers.cli``: the ``sohoa`` command."""

from workers.cli import main

main()
