-- Missing balances among all rows read, by the values of one grouping column.
--
-- Computed over the classified table (every source row, quarantined ones included, typed as far as
-- they parse), so the breakdown describes the export as delivered. {{column}} is one of a fixed
-- list of canonical column names in clean.rs (churn, products, equity, city, gender), never text
-- from a request.
SELECT
    CAST({{column}} AS VARCHAR) AS value,
    count(*) AS rows,
    count(*) FILTER (WHERE balance_text IS NULL) AS missing
FROM classified
GROUP BY {{column}}
ORDER BY {{column}}
