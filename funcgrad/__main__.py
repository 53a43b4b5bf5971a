"""``python -m funcgrad``: run the demo (see :mod:`funcgrad.demo`; ``--help`` for options)."""
from .demo import main

if __name__ == "__main__":
    raise SystemExit(main())
