"""Every model with change history declares it through kitb_portal.common.history, whose manager
class is made once (simple-history's own builds a class on every access, on every history row)."""
from simple_history.models import registered_models

from kitb_portal.common.history import HistoryManager


def test_every_tracked_model_gets_one_history_manager_class_for_all_accesses():
    tracked = [model for model in registered_models.values() if hasattr(model._meta, "simple_history_manager_attribute")]
    assert len(tracked) > 20
    for model in tracked:
        history = getattr(model, model._meta.simple_history_manager_attribute)
        assert isinstance(history, HistoryManager), f"{model._meta.label} declares simple_history's HistoricalRecords, not kitb_portal.common.history's"
        assert type(history) is type(getattr(model, model._meta.simple_history_manager_attribute)), model._meta.label
