-- Quarantined rows per reason code, most frequent first.
SELECT reason, count(*) AS rows
FROM quarantine
GROUP BY reason
ORDER BY rows DESC, reason
