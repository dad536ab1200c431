"""mlopsbook: the library that the executable engineering blog's notebooks import."""

__version__ = "0.1.0"
