-- The quarantine table: every rejected source row with its line, reason code, detail and raw fields.
SELECT
    source_line,
    reason,
    detail,
    raw
FROM classified
WHERE reason IS NOT NULL
ORDER BY source_line
