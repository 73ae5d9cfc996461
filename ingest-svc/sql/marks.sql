-- Duplicate marks of one bucket of valid rows.
--
-- Input: `bucket`, the user_id, raw and source_line of the valid rows whose user id hashes to this
-- bucket. Every row of an id lands in the same bucket, and rows with the same `raw` have the same
-- id, so each bucket is checked on its own and memory depends on the bucket size, not the file.
--
-- Output: one row per valid row that needs a mark (usually few): removed copies and rows of
-- repeated ids.
--   exact_duplicate    all its source fields equal those of an earlier row (the first copy, lowest
--                      source_line, is kept; the others are removed and counted);
--   duplicate_user_id  its user id occurs in more than one distinct row (kept and flagged: in bank
--                      exports these are different customers in different cities).
WITH copies AS (
    SELECT user_id, raw, min(source_line) AS keep_line, count(*) AS copies
    FROM bucket
    GROUP BY user_id, raw
),
repeated AS (
    SELECT user_id
    FROM copies
    GROUP BY user_id
    HAVING count(*) > 1
),
-- The repeated ids (few) come first so that they are the hash join's build side.
marked AS (
    SELECT c.user_id, c.raw, c.keep_line, r.user_id IS NOT NULL AS repeated
    FROM repeated r
    RIGHT JOIN copies c ON r.user_id = c.user_id
    WHERE c.copies > 1 OR r.user_id IS NOT NULL
)
SELECT
    b.source_line,
    b.source_line <> m.keep_line AS exact_duplicate,
    m.repeated AS duplicate_user_id
FROM marked m
JOIN bucket b ON b.user_id = m.user_id AND b.raw = m.raw
-- The first copy of a record whose id is not repeated needs no mark.
WHERE b.source_line <> m.keep_line OR m.repeated
