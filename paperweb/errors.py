"""The errors a user can cause, each with a message that says what to do next.

Exception tree::

    PaperwebError                 anything the CLI prints as one ``Error:`` line, exit 1
    ├── InputError                an input file cannot be read as any known kind
    │   └── NotAListingPage       a text file is not a Hugging Face Papers listing page
    ├── DatabaseError             the database file is missing, locked or unreadable
    │   └── DatabaseInUse         another process holds the lock on the database file
    ├── UsageError                options that contradict each other or name unknown things
    └── FetchError                a service answered in a way we cannot use (online only)

    Interrupted                   Ctrl-C (a KeyboardInterrupt): exit 130, the message says what was kept

Anything else that escapes is a bug and may show a traceback.
"""

from __future__ import annotations

__all__ = [
    "DatabaseError",
    "DatabaseInUse",
    "FetchError",
    "InputError",
    "Interrupted",
    "NotAListingPage",
    "PaperwebError",
    "UsageError",
]


class PaperwebError(Exception):
    """Base class for every error a user can cause; its message is one line."""


class InputError(PaperwebError):
    """An input file is empty, binary, too large or not of any kind we read."""


class NotAListingPage(InputError):
    """A text file does not look like a Hugging Face Papers listing page."""


class DatabaseError(PaperwebError):
    """The database file is missing, damaged or of an unsupported version."""


class DatabaseInUse(DatabaseError):
    """Another process holds the write lock on the database file."""


class UsageError(PaperwebError):
    """The command line asks for something that cannot be done."""


class FetchError(PaperwebError):
    """A remote service gave an answer paperweb cannot use."""


class Interrupted(KeyboardInterrupt):
    """Ctrl-C stopped a command; the message says what the database and outputs hold now."""
