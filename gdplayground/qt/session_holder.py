"""The window's session, observable: every change is announced with the fields it touched.

In the spirit of glue's state classes and napari's evented models, around
the frozen :class:`Session`: panels and views subscribe to :attr:`changed`
and re-read what concerns them; nothing pushes state into them by hand.
"""

from __future__ import annotations

from dataclasses import fields, replace

from gdplayground.model.session import Session
from gdplayground.qt._qt import QtCore

_FIELDS = tuple(f.name for f in fields(Session))


def changed_fields(old: Session | None, new: Session) -> frozenset[str]:
    """The names of the fields in which ``new`` differs from ``old`` (all if no old)."""
    if old is None:
        return frozenset(_FIELDS)
    return frozenset(name for name in _FIELDS if getattr(old, name) != getattr(new, name))


class SessionHolder(QtCore.QObject):
    """Holds the current session; ``changed(session, fields)`` follows every real change."""

    changed = QtCore.Signal(object, object)

    def __init__(self, session: Session, parent: QtCore.QObject | None = None) -> None:
        super().__init__(parent)
        self._session = session

    @property
    def session(self) -> Session:
        """The current session."""
        return self._session

    def set(self, session: Session) -> None:
        """Replace the whole session (opened file, preset, lesson); announced if it differs."""
        touched = changed_fields(self._session, session)
        if touched:
            self._session = session
            self.changed.emit(session, touched)

    def update(self, **changes: object) -> None:
        """Change some fields (e.g. ``update(steps=500)``); announced if anything differs."""
        self.set(replace(self._session, **changes))
