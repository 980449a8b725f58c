"""`python -m local`, the same as `python -m service.local`."""

import sys

from local.server import main

sys.exit(main())
