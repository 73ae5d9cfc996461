-- Row counts of the classified table: all rows, valid rows, rejected rows, rows without a balance.
SELECT
    count(*) AS rows_classified,
    count(*) FILTER (WHERE reason IS NULL) AS rows_valid,
    count(*) FILTER (WHERE reason IS NOT NULL) AS rows_rejected,
    count(*) FILTER (WHERE balance_text IS NULL) AS balance_missing
FROM classified
