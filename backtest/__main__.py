import sys

from backtest.cli import main

sys.exit(main(sys.argv[1:]))
