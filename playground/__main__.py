"""`python -m playground`: open the app."""

from playground.cli import main

raise SystemExit(main())
