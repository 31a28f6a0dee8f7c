"""Drop-ins named after the peer libraries' own schedulers (one module per peer)."""
