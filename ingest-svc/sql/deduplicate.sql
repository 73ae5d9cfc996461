-- Valid rows without exact duplicates: of rows whose source fields are all identical (same `raw`),
-- the first (lowest source_line) is kept.
--
-- Only the groups that do repeat are collected (`repeated`, usually tiny) and joined against the
-- classified rows, with the small side first so that it is the hash join's build side and memory
-- does not grow with the file.
SELECT c.*
FROM (
    SELECT raw AS repeated_raw, min(source_line) AS keep_line
    FROM classified
    WHERE reason IS NULL
    GROUP BY raw
    HAVING count(*) > 1
) repeated
RIGHT JOIN classified c ON c.raw = repeated.repeated_raw
WHERE c.reason IS NULL
  AND (repeated.keep_line IS NULL OR c.source_line = repeated.keep_line)
