"""rhythm: the durable runtime and SDK for `.flow` workflows.

```python
import rhythm
app = rhythm.init(database_url="postgresql://...", auto_migrate=True,
                  workflows=[rhythm.WorkflowFile(name="onboard_user",
                                                 file_path="./workflows/onboard_user.flow")])
from rhythm import client
execution_id = client.workflows.run("onboard_user", inputs={"user_id": 123}, queue="default")
```

`rhythm.init` compiles and registers workflows in Postgres (`rhythm.app`); `rhythm.client`
starts workflows and tasks, sends signals and reads executions; `@task` registers typed task
functions that a `Worker` runs; `rhythm.Limits` bounds what one execution may do and store;
`rhythm.errors` holds the exceptions of the SDK. The toolchain
that checks `.flow` files is `flowlang` (`flowc`); `rhythm.testing` runs workflows in memory.
"""

from __future__ import annotations

from rhythm import client, errors
from rhythm.app import Application, init
from rhythm.limits import Limits
from rhythm.models import Execution, ExecutionStatus, ExecutionType
from rhythm.registration import WorkflowFile
from rhythm.tasks import task
from rhythm.worker import Worker

__version__ = "0.1.0"

__all__ = [
    "Application",
    "Execution",
    "ExecutionStatus",
    "ExecutionType",
    "Limits",
    "WorkflowFile",
    "Worker",
    "__version__",
    "client",
    "errors",
    "init",
    "task",
]
