-- Valid rows removed as exact duplicates of an earlier row.
SELECT count(*) FILTER (WHERE exact_duplicate) AS exact_duplicates
FROM marks
