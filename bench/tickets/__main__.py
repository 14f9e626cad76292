import sys

from bench.tickets.run import main

sys.exit(main())
