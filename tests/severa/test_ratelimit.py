"""The per-credential sliding-window limiter."""

from __future__ import annotations

import asyncio

import pytest

from silta.severa import RateLimiter, RateLimits

from .conftest import Sleeps


async def test_no_one_second_window_holds_more_than_the_rate() -> None:
    time = Sleeps()
    sent: list[float] = []
    limiter = RateLimiter(8, clock=time.monotonic, sleep=time)

    async def call() -> None:
        await limiter.wait()
        sent.append(time.monotonic())

    await asyncio.gather(*(call() for _ in range(50)))
    assert len(sent) == 50
    for i, start in enumerate(sent):
        in_window = [t for t in sent[i:] if t - start < 1.0]
        assert len(in_window) <= 8
    assert sent[-1] - sent[0] >= 5.0  # 50 calls at 8 per second need at least 6 windows
    assert limiter.waited == pytest.approx(sum(time.delays))


async def test_a_pause_holds_every_caller_of_the_credential() -> None:
    time = Sleeps()
    limiter = RateLimiter(8, clock=time.monotonic, sleep=time)
    await limiter.wait()
    limiter.pause_for(5.0)
    before = time.monotonic()
    await limiter.wait()
    assert time.monotonic() - before == pytest.approx(5.0)


async def test_limiters_are_shared_per_credential_key() -> None:
    limits = RateLimits()
    assert limits.for_key("a") is limits.for_key("a")
    assert limits.for_key("a") is not limits.for_key("b")


def test_a_rate_below_one_is_refused() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        RateLimiter(0)
