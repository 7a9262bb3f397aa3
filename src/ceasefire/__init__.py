"""ceasefire: the shared record and coordination desk of a ceasefire."""

__version__ = "0.1.0"
