SELECT b AS bucket, count(DISTINCT person_id) AS value FROM (SELECT e.person_id AS person_id, dateDiff('day', toDate32('2026-11-01'), toDate32(e.timestamp, 'Asia/Shanghai')) AS b FROM events e WHERE e.timestamp >= toDateTime64({p2:String}, 6, 'UTC') AND e.timestamp < toDateTime64({p3:String}, 6, 'UTC') AND e.event = {p1:String}) AS r GROUP BY b
-- p1 = 'app_open'
-- p2 = '2026-10-31 16:00:00.000000'
-- p3 = '2026-11-30 16:00:00.000000'

SELECT b AS bucket, count(DISTINCT person_id) AS value FROM (SELECT e.person_id AS person_id, dateDiff('day', toDate32('2026-11-01'), toDate32(e.timestamp, 'Asia/Shanghai')) AS b FROM events e WHERE e.timestamp >= toDateTime64({p2:String}, 6, 'UTC') AND e.timestamp < toDateTime64({p3:String}, 6, 'UTC') AND e.event = {p1:String}) AS r GROUP BY b
-- p1 = 'order_paid'
-- p2 = '2026-10-31 16:00:00.000000'
-- p3 = '2026-11-30 16:00:00.000000'
