"""``python -m ganviz.bench``: the same as ``ganviz bench``."""

import sys

from ganviz.bench import main

sys.exit(main())
