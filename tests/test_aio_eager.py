"""start_eagerly(), which runs spdylay.aio's request handlers: a coroutine's
first step runs at once, and only if it suspends does a Task run the rest;
from the coroutine's side everything but the timing of that first step is
as in a Task (current task, context, cancellation, errors)."""

import asyncio
import contextvars
import gc

import pytest

from spdylay.aio._eager import start_eagerly

variable = contextvars.ContextVar("variable", default="unset")


def test_a_coroutine_that_ends_in_its_first_step_needs_no_task(aio_run):
    events = []

    async def quick():
        events.append(("current task", asyncio.current_task() is not None))
        variable.set("inside")

    async def main():
        outer = asyncio.current_task()
        assert start_eagerly(asyncio.get_running_loop(), quick()) is None
        events.append(("ran already", True))
        assert asyncio.current_task() is outer
        assert variable.get() == "unset"

    aio_run(main())
    assert events == [("current task", True), ("ran already", True)]


def test_a_coroutine_that_suspends_goes_on_in_the_task_current_in_its_first_step(aio_run):
    events = []

    async def slow(future):
        first = asyncio.current_task()
        variable.set("set in the first step")
        value = await future
        events.append((value, asyncio.current_task() is first, variable.get()))
        await asyncio.sleep(0)
        return first

    async def main():
        loop = asyncio.get_running_loop()
        future = loop.create_future()
        task = start_eagerly(loop, slow(future))
        assert isinstance(task, asyncio.Task) and not task.done()
        assert variable.get() == "unset"
        loop.call_soon(future.set_result, "woken")
        assert await task is task

    aio_run(main())
    assert events == [("woken", True, "set in the first step")]


@pytest.mark.parametrize("when", ["before its task ran", "after its task ran"])
def test_cancelling_the_task_raises_where_the_coroutine_waits(aio_run, when):
    events = []

    async def waits(future):
        try:
            await future
        except asyncio.CancelledError:
            events.append("cancelled at the await")
            raise

    async def main():
        loop = asyncio.get_running_loop()
        future = loop.create_future()
        task = start_eagerly(loop, waits(future))
        if when == "after its task ran":
            await asyncio.sleep(0)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert future.cancelled()

    aio_run(main())
    assert events == ["cancelled at the await"]


def test_a_coroutine_catching_the_cancellation_goes_on(aio_run):
    async def stubborn(future):
        try:
            await future
        except asyncio.CancelledError:
            await asyncio.sleep(0)
            return "finished anyway"

    async def main():
        loop = asyncio.get_running_loop()
        task = start_eagerly(loop, stubborn(loop.create_future()))
        task.cancel()
        assert await task == "finished anyway"

    aio_run(main())


def test_errors_of_the_first_step(aio_run):
    class Unusual(BaseException):
        pass

    async def cancelled():
        raise asyncio.CancelledError

    async def unusual():
        raise Unusual("not an Exception")

    async def interrupted():
        raise KeyboardInterrupt

    async def main():
        loop = asyncio.get_running_loop()
        reported = []
        loop.set_exception_handler(lambda loop, context: reported.append(context))
        assert start_eagerly(loop, cancelled()) is None
        assert reported == []
        assert start_eagerly(loop, unusual()) is None
        # Python 3.12's own eager task reports it as it is collected.
        gc.collect()
        assert [type(context["exception"]) for context in reported] == [Unusual]
        with pytest.raises(KeyboardInterrupt):
            start_eagerly(loop, interrupted())

    aio_run(main())


def test_a_task_factory_gets_the_coroutine(aio_run):
    made = []

    def factory(loop, coro, **kwargs):
        task = asyncio.Task(coro, loop=loop, **kwargs)
        made.append(task)
        return task

    async def quick():
        return "done"

    async def main():
        loop = asyncio.get_running_loop()
        loop.set_task_factory(factory)
        task = start_eagerly(loop, quick())
        assert made == [task]
        assert await task == "done"

    aio_run(main())
