"""The package version, kept apart so that build tools can read it without importing nkdata."""

__version__ = "0.1.0"
