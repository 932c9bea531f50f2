"""Settings for the KITB Partnership Portal, read once from the environment (django-environ).

Every variable has a safe development default; ``DJANGO_ENV=production`` refuses the unsafe ones.
The README lists each variable with its meaning and default.

One namespace read top to bottom, in four modules: each starts from everything the one before it
decided (``from .previous import *``), so later parts can use ``PRODUCTION``, ``SITE_URL``,
``REDIS_URL`` or ``TESTING``, and this package is the settings module
(``DJANGO_SETTINGS_MODULE=kitb_portal.settings``):

1. ``base``: the environment, the mode, paths, installed apps, middleware, templates;
2. ``data``: PostgreSQL, Redis, Celery;
3. ``security``: authentication, languages and time, files, e-mail, security headers;
4. ``features``: the API, forms and history, background jobs, the apps' pluggable parts, digests,
   logging, tests.

Each section starts with a ``# --- <topic> ---`` line, and each setting has its reason above it.
"""

from .features import *  # the last module holds every setting decided before it
