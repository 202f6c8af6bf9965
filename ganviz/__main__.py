import sys

from ganviz.cli import main

sys.exit(main())
