SELECT k, count(*) AS n FROM (SELECT person_id, count(DISTINCT b) AS k FROM (SELECT e.person_id AS person_id, (((epoch_us(e.timestamp) + 28800000000) // 86400000000) - 20758) AS b FROM events e WHERE e.timestamp >= $p2::TIMESTAMPTZ AND e.timestamp < $p3::TIMESTAMPTZ AND e.event = $p1) AS r GROUP BY person_id) AS pp GROUP BY k
-- p1 = 'app_open'
-- p2 = datetime.datetime(2026, 10, 31, 16, 0, tzinfo=datetime.timezone.utc)
-- p3 = datetime.datetime(2026, 11, 30, 16, 0, tzinfo=datetime.timezone.utc)
