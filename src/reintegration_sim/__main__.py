"""``python -m reintegration_sim``: the same as the ``reintegration-sim`` command."""

from .cli import entry

if __name__ == "__main__":
    entry()
