import sys

from bench.ledger.run import main

sys.exit(main())
