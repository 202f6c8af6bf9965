import sys

from ganviz.cli import main

# The guard matters: the window's training process is started with "spawn", which
# imports the main module again in the child.
if __name__ == "__main__":
    sys.exit(main())
