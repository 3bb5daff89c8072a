"""Audit log. Call `audit.record` inside the transaction of the change it tells."""


def record(*args, **kwargs):
    """See audit.recorder.record (imported late: this package loads before the models)."""
    from audit.recorder import record as _record

    return _record(*args, **kwargs)


def unsaved(*args, **kwargs):
    """See audit.recorder.unsaved: the event `record` would write, for a caller
    that writes it in the same statement as its change."""
    from audit.recorder import unsaved as _unsaved

    return _unsaved(*args, **kwargs)
