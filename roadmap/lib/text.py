"""Request text that must not reach the database as it is."""


def holds_nul(*values: str) -> bool:
    """Whether any of the values holds a NUL byte.

    PostgreSQL refuses NUL in a text parameter (a 500 rather than a miss), and no code or stored
    value holds one: a caller treats such a value as matching nothing instead of querying with it.
    """
    return any("\x00" in value for value in values)
