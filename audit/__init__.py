"""Audit log. Call `audit.record` inside the transaction of the change it tells."""


def record(*args, **kwargs):
    """See audit.recorder.record (imported late: this package loads before the models)."""
    from audit.recorder import record as _record

    return _record(*args, **kwargs)
