"""``python -m reintegration_sim``: the same as the ``reintegration-sim`` command."""

from .cli import main

if __name__ == "__main__":
    raise SystemExit(main())
