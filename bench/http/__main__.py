import sys

from bench.http.cli import main

sys.exit(main())
