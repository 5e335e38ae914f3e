import sys

from newsletter.check.cli import main

sys.exit(main())
