import gc
import os

from django.core.wsgi import get_wsgi_application

from kitb_portal.common.datastack import with_stack_room

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kitb_portal.settings")
# Each request runs in a frame-stack chunk of its own (CPython < 3.13 otherwise maps and unmaps a
# chunk hundreds of times per page; see kitb_portal/common/datastack.py).
application = with_stack_room(get_wsgi_application())

# What start-up loaded lives as long as the worker: keep it out of every garbage collection (a full
# collection of it paused a request by ~75 ms), and collect the young generation less often (a page
# makes tens of thousands of short-lived objects that reference counting frees anyway).
gc.freeze()
gc.set_threshold(10_000, 20, 20)
