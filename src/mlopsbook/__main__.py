import sys

from mlopsbook.cli import main

sys.exit(main())
