-- Valid rows without exact duplicates: of rows whose source fields are all identical (same `raw`),
-- the first (lowest source_line) is kept.
SELECT c.*
FROM classified c
JOIN (
    SELECT min(source_line) AS first_line
    FROM classified
    WHERE reason IS NULL
    GROUP BY raw
) firsts ON c.source_line = firsts.first_line
