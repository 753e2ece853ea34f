"""Variance mode: answers in the alternative forms the real services send, at random.

The sandboxes answer in one shape, and a reader that only ever sees that shape keeps its
bugs (a ``type="brutto"`` price read as net, a time without its offset). In variance mode
each answer of an organisation takes some of the forms its sandbox lists (one row per form
in :mod:`.netvisor.variance` and :mod:`.severa.variance`), every form still inside the
contract the sandbox follows, so a correct client reads the same records either way.

The draws come from a random source of the organisation's own, seeded from the variance
seed and the organisation id, and separate from the fault and GUID sources: the same
requests in the same order get the same forms, and turning variance on changes no GUID and
no fault draw. ``used`` counts the forms an organisation's answers took, so that a test can
show that the forms really occurred.
"""

from __future__ import annotations

import operator
import random
from collections import Counter
from collections.abc import Callable, Sequence
from typing import Final, Generic, TypeVar

import attrs

__all__ = ["SHARE", "Form", "Variance", "apply_forms"]

#: The chance that an answer takes a form it could take.
SHARE: Final = 0.5

T = TypeVar("T")
C = TypeVar("C")


@attrs.define(eq=False)
class Variance:
    """One organisation's variance: its random source and the forms its answers took."""

    seed: int
    rng: random.Random
    share: float = SHARE
    used: Counter[str] = attrs.field(factory=Counter)

    @classmethod
    def of(cls, seed: int, organisation_id: str, share: float = SHARE) -> Variance:
        """The variance of one organisation under ``seed``, each form taken with ``share``."""
        return cls(seed, random.Random(f"variance:{seed}:{organisation_id}"), share)

    def draw(self) -> bool:
        """Whether to take a form (true with probability ``share``)."""
        return self.rng.random() < self.share

    def choice(self, options: Sequence[T]) -> T:
        """One of ``options``."""
        return self.rng.choice(options)


@attrs.frozen
class Form(Generic[T, C]):
    """One alternative form of an answer: its name, where the reference shows it, which
    answers can take it, and the rewrite.

    ``T`` is the answer (an XML text, a JSON value), ``C`` what ``applies`` is told about
    the request (its resource and parameters).
    """

    name: str
    source: str
    rewrite: Callable[[T, Variance], T]
    applies: Callable[[C], bool] = lambda context: True


def apply_forms(
    answer: T,
    forms: Sequence[Form[T, C]],
    context: C,
    variance: Variance,
    same: Callable[[T, T], bool] = operator.eq,
) -> T:
    """``answer`` with each applicable form taken at random; counts the forms that changed it.

    ``same`` tells whether a rewrite changed the answer as it will be sent (for JSON, key
    order and ``1`` against ``1.0`` count, which ``==`` on the values ignores).
    """
    for form in forms:
        if not form.applies(context) or not variance.draw():
            continue
        changed = form.rewrite(answer, variance)
        if not same(changed, answer):
            variance.used[form.name] += 1
            answer = changed
    return answer
