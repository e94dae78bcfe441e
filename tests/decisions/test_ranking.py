"""Known answers of the ranking (opsloop/decisions/ranking.py), worked by hand."""

from __future__ import annotations

import math

import pytest

from opsloop.decisions.ranking import ScoreRow, cell_stats, rank_options


def rows(*triples):
    return [ScoreRow(o, c, s, v) for o, c, s, v in triples]


def test_cell_mean_range_and_population_deviation():
    # 2, 4, 4, 4, 5, 5, 7, 9: mean 5, population deviation exactly 2.
    assert cell_stats([2, 4, 4, 4, 5, 5, 7, 9]) == (5.0, 2, 9, 2.0)
    assert cell_stats([3]) == (3.0, 3, 3, 0.0)
    assert cell_stats([]) == (None, None, None, None)


def test_weighted_scores_and_ranks_by_hand():
    # Criteria: ROI weight 3, risk weight 1. Two people asked (10, 11).
    # Option 1: ROI 5 and 3 (mean 4), risk 2 and 2 (mean 2): (3*4 + 1*2) / 4 = 3.5
    # Option 2: ROI 3 and 3 (mean 3), risk 5 and 4 (mean 4.5): (9 + 4.5) / 4 = 3.375
    ranking = rank_options(
        option_ids=[1, 2],
        criteria=[(100, 3.0), (200, 1.0)],
        scores=rows(
            (1, 100, 10, 5), (1, 100, 11, 3), (1, 200, 10, 2), (1, 200, 11, 2),
            (2, 100, 10, 3), (2, 100, 11, 3), (2, 200, 10, 5), (2, 200, 11, 4),
        ),
        scorer_ids=[10, 11],
    )  # fmt: skip
    first, second = ranking.options
    assert (first.option_id, first.weighted, first.rank) == (1, 3.5, 1)
    assert (second.option_id, second.weighted, second.rank) == (2, 3.375, 2)
    roi = first.cells[0]
    assert (roi.mean, roi.low, roi.high, roi.stdev, roi.count, roi.missing) == (
        4.0,
        3,
        5,
        1.0,
        2,
        0,
    )
    assert first.complete and second.complete and ranking.complete
    assert (ranking.scores_given, ranking.scores_expected) == (8, 8)


def test_ties_share_a_rank_and_skip_the_next():
    # A and B both 4 (3.1 reached two ways must tie too); C 2.
    ranking = rank_options(
        option_ids=[1, 2, 3],
        criteria=[(100, 0.1), (200, 0.2)],
        scores=rows((1, 100, 10, 4), (1, 200, 10, 4), (2, 100, 10, 4), (2, 200, 10, 4),
                    (3, 100, 10, 2), (3, 200, 10, 2)),
        scorer_ids=[10],
    )  # fmt: skip
    assert [(o.option_id, o.rank, o.tied) for o in ranking.options] == [
        (1, 1, True),
        (2, 1, True),
        (3, 3, False),
    ]


def test_missing_scores_are_left_out_and_shown():
    # Option 1: ROI scored by one of two people (4), risk by nobody: weighted 4 over ROI
    # alone, incomplete, 3 scores missing. Option 2: nobody scored it: no rank, last.
    ranking = rank_options(
        option_ids=[2, 1],
        criteria=[(100, 2.0), (200, 1.0)],
        scores=rows((1, 100, 10, 4), (1, 100, 99, 1)),  # 99 was not asked: ignored
        scorer_ids=[10, 11],
    )
    scored, unscored = ranking.options
    assert (scored.option_id, scored.weighted, scored.rank, scored.complete) == (1, 4.0, 1, False)
    assert scored.missing == 3
    assert scored.cells[1].mean is None and scored.cells[1].missing == 2
    assert (unscored.option_id, unscored.weighted, unscored.rank) == (2, None, None)
    assert (ranking.scores_given, ranking.scores_expected) == (1, 8)
    assert not ranking.complete


def test_no_criteria_or_no_people_ranks_nothing():
    ranking = rank_options(option_ids=[1], criteria=[], scores=[], scorer_ids=[10])
    assert ranking.options[0].rank is None and not ranking.options[0].complete
    assert not ranking.complete


@pytest.mark.parametrize("values", [[1, 5], [1, 2, 3, 4, 5]])
def test_deviation_matches_the_definition(values):
    mean = sum(values) / len(values)
    expected = math.sqrt(sum((v - mean) ** 2 for v in values) / len(values))
    assert cell_stats(values)[3] == pytest.approx(expected)
