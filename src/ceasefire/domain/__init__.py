"""Pure types and rules of the product: no I/O, no web or database imports."""
