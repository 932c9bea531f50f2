"""Change history (django-simple-history), as every model of the portal declares it.

:class:`HistoricalRecords` is simple-history's own, with one difference: its ``history`` manager class
is made once per queryset class. simple-history's descriptor calls ``Manager.from_queryset`` on every
access to ``instance.history`` or ``Model.history``, which builds a new class each time (walking every
method of the queryset class, some 80 µs); it does so for every history row it writes, so on every
save of a model with history.
"""

from __future__ import annotations

import functools

from simple_history import manager, models


class HistoryManager(manager.HistoryManager):
    @classmethod
    @functools.cache
    def from_queryset(cls, queryset_class, class_name=None):
        return super().from_queryset(queryset_class, class_name)


class HistoricalRecords(models.HistoricalRecords):
    def __init__(self, *args, history_manager=HistoryManager, **kwargs):
        super().__init__(*args, history_manager=history_manager, **kwargs)
