-- Valid rows without exact duplicates, with their duplicate_user_id flag, from the marks that
-- marks.sql found bucket by bucket.
--
-- The marks (usually few) come first so that they, not the table, are the hash join's build side;
-- the classified rows stream through the join in source order, so nothing here grows with the file.
SELECT
    c.*,
    COALESCE(m.duplicate_user_id, false) AS duplicate_user_id
FROM marks m
RIGHT JOIN classified c ON m.source_line = c.source_line
WHERE c.reason IS NULL
  AND NOT COALESCE(m.exact_duplicate, false)
