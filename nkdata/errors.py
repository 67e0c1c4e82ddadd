"""Errors of loading and downloading: each message is meant for the user as it is, one line
that says what went wrong and what to do. The CLI prints it; Python code may catch the class."""

from __future__ import annotations


class NkdataError(Exception):
    """Base class: a problem the user can act on (not a bug in nkdata)."""


class VersionNotFoundError(NkdataError, LookupError):
    """The requested version is neither bundled, nor cached, nor listed by the release host."""


class OfflineError(NkdataError):
    """Offline mode is on and the data is not on this machine."""


class DownloadError(NkdataError):
    """The release host could not be reached, answered with an error, or sent a response that
    was refused (a redirect to another host, more bytes than expected, a truncated file)."""


class ChecksumError(NkdataError):
    """A file's bytes differ from the SHA-256 hash recorded for it; the file is never used."""


class ReleaseError(NkdataError):
    """A release descriptor or index that cannot be trusted or read (malformed, unsafe paths)."""
