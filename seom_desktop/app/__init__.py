"""The application layer: every query and write the window makes, as small keyword-only
functions returning plain data (frozen dataclasses, tuples, dicts), never ORM objects or
a Session. No Qt here: the ui/ package calls these (off the UI thread, through
ui/async_support.run_in_thread) and holds the store only as an opaque handle."""
