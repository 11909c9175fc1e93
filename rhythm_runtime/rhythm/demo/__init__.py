"""`rhythm demo`: example workflows and tasks, and the app that runs them end to end.

`workflows/` holds the example `.flow` files, `tasks` their `@task` functions (the worker of the
demo imports it), `app` the script that `rhythm demo` runs.
"""
