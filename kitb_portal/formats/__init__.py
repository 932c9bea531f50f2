"""The project's date and number formats (``FORMAT_MODULE_PATH``), where Django's fall short.

Only the names set here override Django's own ``django/conf/locale/<lang>/formats.py``; every other
format (input formats, separators) still comes from Django.
"""
