SELECT 'size' AS kind, c, 0 AS n, count(DISTINCT person_id) AS v FROM (SELECT person_id, toInt64(floor((dateDiff('day', toDate32('2026-08-31'), toDate32(t, 'Asia/Shanghai'))) / 7)) AS c FROM (SELECT e.person_id AS person_id, min(e.timestamp) AS t FROM events e WHERE e.timestamp < toDateTime64({p2:String}, 6, 'UTC') AND e.event = {p1:String} GROUP BY e.person_id) AS f WHERE t >= toDateTime64({p3:String}, 6, 'UTC') AND t < toDateTime64({p4:String}, 6, 'UTC')) AS s GROUP BY c UNION ALL SELECT 'back' AS kind, s.c AS c, r.r - s.c AS n, count(DISTINCT s.person_id) AS v FROM (SELECT person_id, toInt64(floor((dateDiff('day', toDate32('2026-08-31'), toDate32(t, 'Asia/Shanghai'))) / 7)) AS c FROM (SELECT e.person_id AS person_id, min(e.timestamp) AS t FROM events e WHERE e.timestamp < toDateTime64({p2:String}, 6, 'UTC') AND e.event = {p1:String} GROUP BY e.person_id) AS f WHERE t >= toDateTime64({p3:String}, 6, 'UTC') AND t < toDateTime64({p4:String}, 6, 'UTC')) AS s JOIN (SELECT DISTINCT e.person_id AS person_id, toInt64(floor((dateDiff('day', toDate32('2026-08-31'), toDate32(e.timestamp, 'Asia/Shanghai'))) / 7)) AS r FROM events e WHERE e.timestamp >= toDateTime64({p6:String}, 6, 'UTC') AND e.timestamp < toDateTime64({p7:String}, 6, 'UTC') AND e.event = {p5:String}) AS r ON r.person_id = s.person_id WHERE r.r > s.c AND r.r <= s.c + 8 GROUP BY s.c, r.r - s.c
-- p1 = 'signup'
-- p2 = '2026-11-30 16:00:00.000000'
-- p3 = '2026-09-01 16:00:00.000000'
-- p4 = '2026-11-30 16:00:00.000000'
-- p5 = 'app_open'
-- p6 = '2026-09-01 16:00:00.000000'
-- p7 = '2026-11-30 16:00:00.000000'
