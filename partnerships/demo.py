def seed(stdout) -> None:
    """Demo data of this app (filled by its issue); idempotent."""
