"""What the book ships, checked by the ecosystem's scanners: :mod:`~mlopsbook.security.scanners` runs checkov and
bandit the one way the tests and the CLI share; :mod:`~mlopsbook.security.report` writes ``deploy/SECURITY.md``'s
generated sections from their output. Nothing is run at import."""
