def seed(stdout) -> None:
    """Organisations and demo users (completed by the foundation issue); idempotent."""
