"""``torch.backends.cudnn``: not available; ``deterministic`` and
``benchmark`` can be set (as reproducibility recipes do) and change nothing."""

deterministic = False
benchmark = False
enabled = True


def is_available() -> bool:
    return False


def version() -> None:
    return None
