"""One contract, every store: the Redis script and the in-process limiter must agree."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.conf import settings

from ratelimit.backends import get_backend
from ratelimit.backends.base import BaseBackend
from ratelimit.keys import counter_key

T0 = 1_700_000_000_000  # a fixed clock, in epoch ms
MINUTE = 60_000
WINDOW = 15 * MINUTE


class BackendContract:
    backend: BaseBackend

    def key(self, name: str = "1.2.3.4") -> str:
        return counter_key("auth", name)

    def hit(self, now: int, key: str | None = None, limit: int = 5, cost: int = 1) -> Any:
        return self.backend.hit(
            key=key or self.key(), limit=limit, window_ms=WINDOW, now_ms=now, cost=cost
        )

    def test_fifth_hit_is_allowed_and_sixth_refused(self) -> None:
        results = [self.hit(T0 + i * 1000) for i in range(6)]
        assert [r.allowed for r in results] == [True] * 5 + [False]
        assert [r.remaining for r in results] == [4, 3, 2, 1, 0, 0]

    def test_allowed_again_exactly_when_the_oldest_hit_leaves_the_window(self) -> None:
        for i in range(5):
            self.hit(T0 + i * 1000)
        assert not self.hit(T0 + WINDOW - 1).allowed
        again = self.hit(T0 + WINDOW)
        assert again.allowed
        assert again.remaining == 0
        # Only one slot freed: the second-oldest hit is still inside the window.
        assert not self.hit(T0 + WINDOW + 999).allowed
        assert self.hit(T0 + WINDOW + 1000).allowed

    def test_window_slides_so_a_burst_across_a_fixed_window_edge_is_still_limited(self) -> None:
        # A fixed 15-minute window would reset at T0 + WINDOW and allow 5 more at once.
        for i in range(5):
            assert self.hit(T0 + WINDOW - 10 + i).allowed
        burst = [self.hit(T0 + WINDOW + 10 + i).allowed for i in range(5)]
        assert burst == [False] * 5

    def test_reset_is_when_the_oldest_hit_leaves_and_retry_after_rounds_up(self) -> None:
        first = self.hit(T0)
        assert first.reset_ms == T0 + WINDOW
        for i in range(1, 5):
            self.hit(T0 + i * MINUTE)
        refused = self.hit(T0 + 5 * MINUTE + 500)
        assert not refused.allowed
        assert refused.reset_ms == T0 + WINDOW
        assert refused.retry_after == 600  # 599.5 s, rounded up
        assert first.retry_after == 0

    def test_refused_hits_are_not_recorded(self) -> None:
        for i in range(5):
            self.hit(T0 + i)
        for i in range(20):
            assert not self.hit(T0 + 10 + i).allowed
        # Had the refusals counted, the window would still be full here.
        assert self.hit(T0 + 4 + WINDOW).allowed

    def test_cost_zero_reads_without_counting(self) -> None:
        self.hit(T0)
        status = self.hit(T0 + 1, cost=0)
        assert status.allowed and status.remaining == 4
        assert self.hit(T0 + 2, cost=0).remaining == 4

    def test_release_takes_back_one_hit_so_only_failures_stay_counted(self) -> None:
        first = self.hit(T0)
        self.hit(T0 + 1)
        assert self.backend.release(key=self.key(), hit_ms=first.now_ms) is True
        assert self.hit(T0 + 2, cost=0).remaining == 4
        # Nothing left at that instant, nothing at an instant never hit, no such key.
        assert self.backend.release(key=self.key(), hit_ms=T0) is False
        assert self.backend.release(key=self.key(), hit_ms=T0 + 99) is False
        assert self.backend.release(key=self.key("9.9.9.9"), hit_ms=T0) is False

    def test_release_takes_back_one_of_several_hits_at_the_same_instant(self) -> None:
        for _ in range(3):
            self.hit(T0)
        assert self.backend.release(key=self.key(), hit_ms=T0) is True
        assert self.hit(T0 + 1, cost=0).remaining == 3

    def test_counting_before_and_releasing_after_never_lets_more_than_the_limit_run(
        self,
    ) -> None:
        # Fifty parallel sign-in attempts, limit ten: at most ten may run the password
        # check, even though successful ones are taken back afterwards.
        running: list[int] = []
        start = threading.Barrier(50)

        def attempt(n: int) -> None:
            start.wait()
            usage = self.hit(T0, limit=10)
            if usage.allowed:
                running.append(n)

        threads = [threading.Thread(target=attempt, args=(n,)) for n in range(50)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert len(running) == 10
        for _ in running[:4]:  # four of them signed in: their hits go back
            assert self.backend.release(key=self.key(), hit_ms=T0)
        assert self.hit(T0 + 1, cost=0, limit=10).remaining == 4

    def test_keys_are_independent(self) -> None:
        for i in range(5):
            self.hit(T0 + i, key=self.key("1.1.1.1"))
        assert not self.hit(T0 + 10, key=self.key("1.1.1.1")).allowed
        assert self.hit(T0 + 10, key=self.key("2.2.2.2")).allowed

    def test_reset_forgets_a_key(self) -> None:
        for i in range(5):
            self.hit(T0 + i)
        assert self.backend.reset(key=self.key()) is True
        assert self.hit(T0 + 10).remaining == 4
        assert self.backend.reset(key=self.key("9.9.9.9")) is False

    def test_clear_removes_only_keys_under_the_prefix(self, settings: Any) -> None:
        self.hit(T0, key=self.key("1.1.1.1"))
        other = f"someone-else:{counter_key('auth', '1.1.1.1')}"
        self.hit(T0, key=other)
        assert self.backend.clear(prefix=f"{settings.RATELIMIT_KEY_PREFIX}rl:") == 1
        assert self.hit(T0 + 1, key=self.key("1.1.1.1")).remaining == 4
        assert self.hit(T0 + 1, key=other).remaining == 3
        self.backend.reset(key=other)

    def test_fifty_parallel_hits_with_limit_ten_let_exactly_ten_through(self) -> None:
        allowed: list[bool] = []
        start = threading.Barrier(50)

        def worker() -> None:
            start.wait()
            allowed.append(self.hit(T0, limit=10).allowed)

        threads = [threading.Thread(target=worker) for _ in range(50)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert len(allowed) == 50
        assert allowed.count(True) == 10


class TestMemoryBackend(BackendContract):
    @pytest.fixture(autouse=True)
    def _backend(self, use_memory: None) -> None:
        self.backend = get_backend()

    def test_keys_whose_window_has_passed_are_swept(self) -> None:
        from ratelimit.backends.memory import SWEEP_EVERY

        self.hit(T0, key=self.key("old"))
        for i in range(SWEEP_EVERY):
            self.hit(T0 + WINDOW + i, key=self.key(f"new-{i % 3}"), limit=SWEEP_EVERY)
        assert self.key("old") not in self.backend._hits


@pytest.mark.redis
class TestRedisBackend(BackendContract):
    @pytest.fixture(autouse=True)
    def _backend(self, use_redis: None) -> None:
        self.backend = get_backend()

    def test_counter_keys_expire_on_their_own(self) -> None:
        from django_redis import get_redis_connection

        self.hit(T0)
        ttl = get_redis_connection("default").pttl(self.key())
        assert 0 < ttl <= WINDOW

    def test_one_check_is_one_round_trip(self, redis_commands: Any) -> None:
        self.hit(T0)  # loads the script if this server did not know it yet
        sent = redis_commands()
        result = self.hit(T0 + 1)
        assert result.allowed and result.remaining == 3 and result.reset_ms == T0 + WINDOW
        assert len(sent) == 1
        packed = sent[0]
        wire = b"".join(packed) if isinstance(packed, list | tuple) else bytes(packed)
        assert b"EVALSHA" in wire.upper()

    def test_the_key_name_carries_a_cluster_hash_tag_and_the_prefix(self) -> None:
        assert self.key() == f"{settings.RATELIMIT_KEY_PREFIX}rl:{{auth:1.2.3.4}}"
