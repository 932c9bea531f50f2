import os

from django.core.wsgi import get_wsgi_application

from kitb_portal.common.datastack import with_stack_room

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kitb_portal.settings")
# Each request runs in a frame-stack chunk of its own (CPython < 3.13 otherwise maps and unmaps a
# chunk hundreds of times per page; see kitb_portal/common/datastack.py).
application = with_stack_room(get_wsgi_application())
