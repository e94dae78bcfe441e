"""The ranking of a decision's options from the scores of the people asked: pure data in,
pure data out, no database (tests/decisions/test_ranking.py holds the known answers).

For each option and criterion, the scores of that cell give its mean and its spread:
the lowest and highest score and the standard deviation. The deviation is the
population one (divided by n, not n - 1): the people asked are the whole group whose
agreement is shown, not a sample of a larger one; one score has a deviation of 0.

An option's weighted score is sum(weight x mean) / sum(weight) over the criteria that
have at least one score for it. A criterion nobody scored for the option is left out of
both sums rather than counted as 0, and the option is marked incomplete, so a missing
score neither sinks nor lifts it silently; an option with no score at all has no
weighted score and no rank.

Ranks are competition ranks ("1, 1, 3"): options whose weighted scores are equal (to
1e-9, so that 3.1 computed two ways ties) share a rank and the next rank is skipped.
Options ranked equal keep the order they were listed in."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

TIE = 1e-9


@dataclass(frozen=True)
class ScoreRow:
    option_id: int
    criterion_id: int
    scorer_id: int
    value: float


@dataclass(frozen=True)
class Cell:
    """The scores of one option on one criterion."""

    option_id: int
    criterion_id: int
    count: int
    missing: int  # people asked who have not scored this cell
    mean: float | None
    low: float | None
    high: float | None
    stdev: float | None


@dataclass(frozen=True)
class OptionResult:
    option_id: int
    weighted: float | None
    rank: int | None
    tied: bool  # shares its rank with another option
    complete: bool  # every person asked scored every criterion
    cells: tuple[Cell, ...]  # in the order of the criteria
    missing: int  # scores still missing on this option


@dataclass(frozen=True)
class Ranking:
    options: tuple[OptionResult, ...]  # best first; unranked last, in listed order
    scores_given: int
    scores_expected: int

    @property
    def complete(self) -> bool:
        return self.scores_expected > 0 and self.scores_given >= self.scores_expected


def cell_stats(
    values: Sequence[float],
) -> tuple[float | None, float | None, float | None, float | None]:
    """(mean, lowest, highest, population standard deviation) of a cell's scores."""
    if not values:
        return None, None, None, None
    n = len(values)
    mean = math.fsum(values) / n
    variance = math.fsum((v - mean) ** 2 for v in values) / n
    return mean, min(values), max(values), math.sqrt(variance)


def rank_options(
    *,
    option_ids: Sequence[int],
    criteria: Sequence[tuple[int, float]],
    scores: Iterable[ScoreRow],
    scorer_ids: Iterable[int],
) -> Ranking:
    """Rank the options (in their listed order) on the criteria ((id, weight) pairs)
    from the scores; only scores of the people asked (scorer_ids) count."""
    asked = set(scorer_ids)
    by_cell: dict[tuple[int, int], list[float]] = {}
    options, criterion_ids = set(option_ids), {c for c, _w in criteria}
    given = 0
    for row in scores:
        if row.scorer_id not in asked or row.option_id not in options:
            continue
        if row.criterion_id not in criterion_ids:
            continue
        by_cell.setdefault((row.option_id, row.criterion_id), []).append(float(row.value))
        given += 1
    results = []
    for option_id in option_ids:
        cells = []
        total = weights = 0.0
        for criterion_id, weight in criteria:
            values = by_cell.get((option_id, criterion_id), [])
            mean, low, high, stdev = cell_stats(values)
            cells.append(
                Cell(option_id, criterion_id, len(values), len(asked) - len(values),
                     mean, low, high, stdev)
            )  # fmt: skip
            if mean is not None:
                total += weight * mean
                weights += weight
        missing = sum(c.missing for c in cells)
        results.append(
            OptionResult(
                option_id=option_id,
                weighted=total / weights if weights else None,
                rank=None,
                tied=False,
                complete=bool(cells) and missing == 0,
                cells=tuple(cells),
                missing=missing,
            )
        )
    return Ranking(
        options=tuple(_ranked(results)),
        scores_given=given,
        scores_expected=len(option_ids) * len(criteria) * len(asked),
    )


def _ranked(results: list[OptionResult]) -> list[OptionResult]:
    scored = [r for r in results if r.weighted is not None]
    # sorted() is stable: equal scores keep the listed order.
    scored.sort(key=lambda r: -(r.weighted or 0.0))
    ranked: list[OptionResult] = []
    for i, result in enumerate(scored):
        if i and abs((scored[i - 1].weighted or 0.0) - (result.weighted or 0.0)) <= TIE:
            rank = ranked[i - 1].rank
        else:
            rank = i + 1
        ranked.append(replace(result, rank=rank))
    ranks = [r.rank for r in ranked]
    ranked = [replace(r, tied=ranks.count(r.rank) > 1) for r in ranked]
    return ranked + [r for r in results if r.weighted is None]
