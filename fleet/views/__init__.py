"""The fleet pages, one module per page group."""
