"""Starting a coroutine eagerly, as Python 3.12's eager tasks do: its first
step runs at once, in the caller, and only if it suspends does a Task run
the rest.  A request handler that answers without waiting (the common
case) then costs no Task, no scheduling and no done callback.

From the coroutine's point of view nothing but the timing of its first step
changes: it runs in a copy of the caller's context, ``current_task()``
during the first step is the Task that runs the rest (the same object), and
cancelling that Task raises CancelledError where the coroutine waits.  On
Python 3.12 and later this is asyncio's own ``eager_start``.  Before, the
Task object is made (but not started) before the first step and started
only if the coroutine suspends; one that finishes in its first step leaves
it never started, so ``current_task()`` seen then is a Task that never
runs (a real eager task would be a finished one).
"""

from __future__ import annotations

import asyncio
import contextvars
import sys
from collections.abc import Coroutine, Generator
from typing import Any

_Task = asyncio.Task


def start_eagerly(
    loop: asyncio.AbstractEventLoop, coro: Coroutine[Any, Any, None]
) -> asyncio.Task[None] | None:
    """Runs ``coro``'s first step now; returns None if it ended there, or
    the Task running the rest.  An exception other than KeyboardInterrupt,
    SystemExit and CancelledError that ends the first step goes to the
    loop's exception handler, as a Task's would."""
    if loop.get_task_factory() is not None:
        # The application makes its own tasks: it gets them.
        return loop.create_task(coro)
    if sys.version_info >= (3, 12):
        task: asyncio.Task[None] = _Task(coro, loop=loop, eager_start=True)
        return None if task.done() else task
    return _start_before_3_12(loop, coro)


if sys.version_info < (3, 12):
    from asyncio.tasks import _enter_task, _leave_task

    _current_task = asyncio.current_task

    def _first_step(loop: asyncio.AbstractEventLoop, task: Any, coro: Any) -> Any:
        # Started from inside a task, the step runs as ``task`` all the
        # same, and the outer task is current again after it.
        outer = _current_task(loop)
        if outer is not None:
            _leave_task(loop, outer)
        _enter_task(loop, task)
        try:
            return coro.send(None)
        finally:
            _leave_task(loop, task)
            if outer is not None:
                _enter_task(loop, outer)

    def _start_before_3_12(
        loop: asyncio.AbstractEventLoop, coro: Coroutine[Any, Any, None]
    ) -> asyncio.Task[None] | None:
        context = contextvars.copy_context()
        task = _Task.__new__(_Task)
        # Dropped unstarted if coro ends in its first step: not a pending
        # task destroyed, which a Task would log.
        task._log_destroy_pending = False  # type: ignore[attr-defined]
        try:
            suspended_on = context.run(_first_step, loop, task, coro)
        except StopIteration:
            return None
        except asyncio.CancelledError:
            return None
        except (KeyboardInterrupt, SystemExit):
            raise
        except BaseException as exc:
            loop.call_exception_handler(
                {"message": "an eagerly started coroutine failed", "exception": exc}
            )
            return None
        # The Task copies the current context: inside ``context`` that copy
        # holds what the first step set.
        context.run(_Task.__init__, task, _Continuation(coro, suspended_on), loop=loop)
        task._log_destroy_pending = True  # type: ignore[attr-defined]
        return task

    class _Continuation(Coroutine[Any, Any, None]):
        """The rest of a coroutine that suspended in its first step, as the
        coroutine a Task runs: the Task's first ``send()`` gets what the
        coroutine suspended on (a future, or None for a bare yield), then
        every call goes to the coroutine."""

        __slots__ = ("_coro", "_suspended_on", "_resumed")

        def __init__(self, coro: Any, suspended_on: Any) -> None:
            self._coro = coro
            self._suspended_on = suspended_on
            self._resumed = False

        def send(self, value: Any) -> Any:
            if not self._resumed:
                self._resumed = True
                return self._suspended_on
            return self._coro.send(value)

        def throw(self, exc: Any, value: Any = None, traceback: Any = None) -> Any:
            if not self._resumed:
                # Cancelled before its Task took over the wait: the future
                # it waits on is cancelled, as Task.cancel() would have.
                self._resumed = True
                if asyncio.isfuture(self._suspended_on):
                    self._suspended_on.cancel()
            try:
                if value is None and traceback is None:
                    return self._coro.throw(exc)
                return self._coro.throw(exc, value, traceback)
            finally:
                # What comes back out is usually ``exc`` itself, whose
                # traceback holds this frame: a cycle if the frame held it.
                del exc, value, traceback

        def close(self) -> None:
            self._coro.close()

        def __await__(self) -> Generator[Any, None, None]:
            # Awaitable, as every coroutine is: it is its own iterator.
            return self  # type: ignore[return-value]

        def __next__(self) -> Any:
            return self.send(None)
