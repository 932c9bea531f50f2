"""Background jobs: large imports and exports (django-import-export resources) run by Celery.

The core imports no app: a job names its resource (and optionally a queryset factory) by dotted
path, and the admin mixin in ``admin_mixins`` wires an app's ModelAdmin to it.
"""
