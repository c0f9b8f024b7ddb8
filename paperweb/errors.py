"""The errors a user can cause, each with a message that says what to do next.

Exception tree::

    PaperwebError                 anything the CLI prints as one ``Error:`` line, exit 1
    ├── InputError                an input file cannot be read as any known kind
    │   └── NotAListingPage       a text file is not a Hugging Face Papers listing page
    ├── DatabaseError             the database file is missing, locked or unreadable
    │   └── DatabaseInUse         another process holds the lock on the database file
    ├── UsageError                options that contradict each other or name unknown things
    └── FetchError                a service answered in a way we cannot use (online only)
        ├── UnusableResponse      an answer's body cannot be read (malformed JSON, wrong shape)
        └── BadStatus             an HTTP status the caller cannot use (after the retries)

    Interrupted                   Ctrl-C (a KeyboardInterrupt): exit 130, the message says what was kept

Fetchers raise the two ``FetchError`` kinds for one item; the enrichment stage turns
them into a failure record for that item and the build goes on.

Anything else that escapes is a bug and may show a traceback.
"""

from __future__ import annotations

__all__ = [
    "BadStatus",
    "DatabaseError",
    "DatabaseInUse",
    "FetchError",
    "InputError",
    "Interrupted",
    "NotAListingPage",
    "PaperwebError",
    "UnusableResponse",
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


class UnusableResponse(FetchError):
    """A service answered with a body paperweb cannot read (malformed JSON, missing fields)."""


class BadStatus(FetchError):
    """A service answered with an HTTP status the caller cannot use (after the client's retries)."""


class Interrupted(KeyboardInterrupt):
    """Ctrl-C stopped a command; the message says what the database and outputs hold now."""
