"""``python -m symproof`` is the ``symproof`` command."""

from .cli import main

raise SystemExit(main())
