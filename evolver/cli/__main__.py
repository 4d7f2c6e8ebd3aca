"""`python -m evolver.cli`, the same as `evolve`."""

import sys

from evolver.cli import main

sys.exit(main())
