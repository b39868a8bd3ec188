"""Fault injection: which request fails, and how (the responses themselves are built in app.py)."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

FAULT_KINDS = frozenset(
    {
        "401",  # Nuki's "not authorized" body
        "403",  # plain text "403 Forbidden" (GET /smartlock in Nuki's outage of November 2024)
        "423",  # device busy (a body without detailMessage)
        "429",  # nginx 429 with Retry-After
        "429-no-retry-after",  # nginx 429 without Retry-After (as observed)
        "500",  # nginx HTML 500
        "500-json",  # Restlet JSON 500: {"code", "description", "reasonPhrase", "uri"}
        "502",  # nginx HTML 502
        "timeout",  # answer only after `timeout_seconds`
        "malformed",  # 200 with a body that is not JSON
        "truncated",  # 200 whose connection drops halfway through the body
        "error-items",  # list endpoints: every item reduced to ids + `error`
        "bad-items",  # list endpoints: unparsable items before the real ones
    }
)


@dataclass
class FailNext:
    """Fail the next `count` matching requests with `kind` (deterministic, for tests)."""

    kind: str
    count: int
    route: str | None = None  # "GET /smartlock" style; None = any Nuki route

    def as_json(self) -> dict[str, Any]:
        """Return the JSON form shown by GET /_sim/faults."""
        return {"kind": self.kind, "count": self.count, "route": self.route}


@dataclass
class Faults:
    """Random and scheduled faults plus added latency, all seedable."""

    rate: float = 0.0
    kinds: tuple[str, ...] = ("500",)
    latency: float = 0.0
    timeout_seconds: float = 60.0
    # The Retry-After header of the "429" kind: seconds, or any text (a date, "inf", garbage).
    retry_after: int | str = 30
    seed: int | None = None
    queue: list[FailNext] = field(default_factory=list)
    rng: random.Random = field(default_factory=random.Random, repr=False)

    def __post_init__(self) -> None:
        """Validate and seed."""
        self.configure(rate=self.rate, kinds=self.kinds, seed=self.seed)

    def configure(
        self,
        *,
        rate: float | None = None,
        kinds: tuple[str, ...] | list[str] | None = None,
        latency: float | None = None,
        timeout_seconds: float | None = None,
        retry_after: int | str | None = None,
        seed: int | None = None,
    ) -> None:
        """Change some settings; `None` keeps the current value."""
        if rate is not None:
            if not 0.0 <= rate <= 1.0:
                raise ValueError("rate must be within 0..1")
            self.rate = rate
        if kinds is not None:
            check_kinds(kinds)
            self.kinds = tuple(kinds)
        if latency is not None:
            self.latency = max(0.0, latency)
        if timeout_seconds is not None:
            self.timeout_seconds = timeout_seconds
        if retry_after is not None:
            self.retry_after = retry_after
        if seed is not None:
            self.seed = seed
            self.rng.seed(seed)

    def fail_next(self, kind: str, count: int = 1, route: str | None = None) -> None:
        """Queue `count` failures of `kind`, optionally only for one route."""
        check_kinds([kind])
        if count < 1:
            raise ValueError("count must be at least 1")
        self.queue.append(FailNext(kind, count, route))

    def reset(self) -> None:
        """Switch all faults off."""
        self.rate = 0.0
        self.latency = 0.0
        self.queue.clear()

    def pick(self, route: str) -> str | None:
        """Return the fault kind for this request, or None to serve it normally."""
        for item in self.queue:
            if item.route is None or item.route == route:
                item.count -= 1
                if item.count == 0:
                    self.queue.remove(item)
                return item.kind
        if self.rate and self.rng.random() < self.rate:
            return self.rng.choice(self.kinds)
        return None

    def as_json(self) -> dict[str, Any]:
        """Return the JSON form shown by GET /_sim/faults."""
        return {
            "rate": self.rate,
            "kinds": list(self.kinds),
            "latency": self.latency,
            "timeout_seconds": self.timeout_seconds,
            "retry_after": self.retry_after,
            "seed": self.seed,
            "next": [item.as_json() for item in self.queue],
        }


def check_kinds(kinds: tuple[str, ...] | list[str]) -> None:
    """Raise ValueError for an unknown fault kind."""
    unknown = set(kinds) - FAULT_KINDS
    if unknown or not kinds:
        raise ValueError(f"unknown fault kinds {sorted(unknown)}; known: {sorted(FAULT_KINDS)}")
