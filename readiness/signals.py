"""What makes a truck ready changed: the cached fleet lists (whose "not
ready" filter reads it) and the cached clinic days at risk
(readiness.clinic_days.coming_at_risk) are stale. Every write goes through
the models (services, admin, API), so one place catches them all; document
types and checklist items name the reasons shown."""

from django.db.models.signals import post_delete, post_save

from fleet.models import FLEET_REGISTER
from pagecache import fragments
from readiness.models import ChecklistItem, Defect, Document, DocumentType, OdometerReading, ServicePlan

READINESS_MODELS = (Defect, Document, OdometerReading, ServicePlan, DocumentType, ChecklistItem)


def readiness_changed(sender, **kwargs):
    fragments.bump(FLEET_REGISTER)


for model in READINESS_MODELS:
    post_save.connect(readiness_changed, sender=model, dispatch_uid=f"fragments-{model._meta.label}-save")
    post_delete.connect(readiness_changed, sender=model, dispatch_uid=f"fragments-{model._meta.label}-delete")
