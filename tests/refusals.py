"""`refused`: assert that a service refuses for the expected reason.

`pytest.raises(DomainError)` also passes when the code refuses for another reason:
a NotAllowed from the permission check, another rule's message, another field.
`refused` pins all three: the exact class, the message id (the English msgid, so
the test does not depend on the language) and the field.
"""
from __future__ import annotations

from contextlib import contextmanager

import pytest

from pbj.services.errors import DomainError


@contextmanager
def refused(kind: type[DomainError], msgid: str, *, field: str | None = None, **variables):
    """The block raises exactly `kind` with message `msgid` (and these parameters) on `field`."""
    with pytest.raises(DomainError) as caught:
        yield caught
    error = caught.value
    seen = (type(error).__name__, getattr(error.message, "msgid", error.message), error.field)
    assert seen == (kind.__name__, msgid, field), f"refused as {seen!r}"
    for name, value in variables.items():
        assert error.message.variables.get(name) == value, (name, error.message.variables)
